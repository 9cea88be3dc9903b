// class-transformer's @Type reads decorator metadata: make sure the polyfill is loaded first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { LineItem } from './line-item';
import { MAX_CUSTOMER_NAME, MAX_LINE_ITEMS } from './menu';

/** Body of `POST /orders`. */
export class PlaceOrderRequest {
  @IsString()
  @Length(1, MAX_CUSTOMER_NAME)
  @Matches(/\S/, { message: 'customer must not be blank' })
  public readonly customer!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINE_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => LineItem)
  public readonly items!: LineItem[];
}
