import { IsIn, IsInt, Max, Min } from 'class-validator';
import { DRINKS, type Drink, MAX_QUANTITY, SIZES, type Size } from './menu';

export class LineItem {
  @IsIn(DRINKS)
  public readonly drink!: Drink;

  @IsIn(SIZES)
  public readonly size!: Size;

  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  public readonly quantity!: number;
}
