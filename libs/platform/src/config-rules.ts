import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsNumber,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

export const SWITCH_VALUES = ['on', 'off'] as const;
export type Switch = (typeof SWITCH_VALUES)[number];

/** A feature switch: `on` or `off`, in any case. */
export function OnOff(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    )(target, key);
    IsIn(SWITCH_VALUES, { message: 'accepts on or off' })(target, key);
  };
}

/** A number, fractions allowed, from `min` to `max`, with one message that says so. */
export function DecimalRange(min: number, max: number): PropertyDecorator {
  const message = `accepts a number from ${min} to ${max}`;
  return (target, key) => {
    Type(() => Number)(target, key);
    IsNumber({ allowNaN: false, allowInfinity: false }, { message })(target, key);
    Min(min, { message })(target, key);
    Max(max, { message })(target, key);
  };
}

/** A number no greater than the variable `other` of the same config. */
export function AtMost(other: string): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'atMost',
      target: target.constructor,
      propertyName: String(key),
      constraints: [other],
      options: {
        message: (args: ValidationArguments) =>
          `accepts at most ${other} (${String((args.object as Record<string, unknown>)[other])})`,
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const limit = (args.object as Record<string, unknown>)[other];
          return typeof value !== 'number' || typeof limit !== 'number' || value <= limit;
        },
      },
    });
}
