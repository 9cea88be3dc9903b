// class-transformer's @Type reads decorator metadata: make sure the polyfill is loaded first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit=` on list endpoints: 1 to 1000, 100 when absent. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  public readonly limit: number = 100;
}
