// class-transformer's @Type reads decorator metadata: make sure the polyfill is loaded first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { LineItem } from './line-item';
import { MAX_CUSTOMER_NAME, MAX_LINE_ITEMS } from './menu';

const CUSTOMER_TEXT =
  'customer must be printable text, not blank (no control characters or unpaired surrogates)';

/**
 * The customer's name, in the request and in every event that carries it: 1-64 characters, not
 * blank, and printable. Control characters and unpaired UTF-16 surrogates are refused rather
 * than stored: a lone surrogate cannot be written as UTF-8 and would come back from the store as
 * U+FFFD, a name other than the one accepted.
 */
export function CustomerName(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Length(1, MAX_CUSTOMER_NAME)(target, key);
    // One pattern, so that the JSON Schema built from these rules (one `pattern` per field) says
    // all of it; the look-ahead keeps it linear on a long input.
    Matches(/^(?=.*\S)[^\p{Cc}\p{Cs}]*$/u, { message: CUSTOMER_TEXT })(target, key);
  };
}

/**
 * An order's line items: 1-10 objects, each a valid {@link LineItem}. `IsObject` each, because
 * class-validator's nested validation accepts an array where an object is expected (it walks
 * into it), so `[[[]]]` would otherwise pass as one line item.
 */
export function LineItems(): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayMinSize(1)(target, key);
    ArrayMaxSize(MAX_LINE_ITEMS)(target, key);
    IsObject({ each: true, message: 'each of items must be an object' })(target, key);
    ValidateNested({ each: true })(target, key);
    Type(() => LineItem)(target, key);
  };
}
