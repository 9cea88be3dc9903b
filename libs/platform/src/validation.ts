import {
  type ArgumentMetadata,
  BadRequestException,
  HttpException,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';
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
 * Nest's ValidationPipe, with one difference: an error thrown while transforming or validating
 * the input itself (class-transformer or class-validator failing on a shape they cannot walk) is
 * the input's fault and the same on every try, so it becomes a `400` for a request and an
 * invalid message (dead-lettered at once, never retried) for a message, not a `500` or a
 * retried handler failure.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (error instanceof HttpException) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: [`the input cannot be validated: ${reason}`],
        fields: [],
      });
    }
  }
}

/**
 * Validation of request bodies: unknown fields are refused, and a 400 names every offending field
 * (`fields`) with a readable line for each (`message`).
 */
export function requestValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
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
