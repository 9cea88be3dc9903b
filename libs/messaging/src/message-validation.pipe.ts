import { BadRequestException, type ValidationPipe } from '@nestjs/common';
import { describeValidationErrors, InputValidationPipe } from '@app/platform';

/**
 * Validation of message payloads against their contract class. Unlike request bodies, unknown
 * fields are tolerated (stripped): a newer producer may add fields that an older consumer
 * ignores. A payload that validation cannot even walk is refused as invalid too (see
 * {@link InputValidationPipe}).
 */
export function messageValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors)),
  });
}
