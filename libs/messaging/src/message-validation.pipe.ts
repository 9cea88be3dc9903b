import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { describeValidationErrors } from '@app/platform';

/**
 * Validation of message payloads against their contract class. Unlike request bodies, unknown
 * fields are tolerated (stripped): a newer producer may add fields that an older consumer
 * ignores.
 */
export function messageValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors)),
  });
}
