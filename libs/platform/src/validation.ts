import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** Flattens nested class-validator errors into `path: message` lines (`items.0.size: ...`). */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(`${error.property} `)
        ? `${path}${message.slice(error.property.length)}`
        : `${path}: ${message}`,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/** The fields named by {@link describeValidationErrors}' lines, without duplicates. */
export function invalidFields(errors: ValidationError[], parent = ''): string[] {
  const fields = errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [path] : [];
    return [...own, ...invalidFields(error.children ?? [], path)];
  });
  return [...new Set(fields)];
}

/**
 * Validation of request bodies: unknown fields are refused, and a 400 names every offending field
 * (`fields`) with a readable line for each (`message`).
 */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: describeValidationErrors(errors),
        fields: invalidFields(errors),
      }),
  });
}
