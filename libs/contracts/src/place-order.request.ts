import { LineItem } from './line-item';
import { CustomerName, LineItems } from './order-fields';

/** Body of `POST /orders`. */
export class PlaceOrderRequest {
  @CustomerName()
  public readonly customer!: string;

  @LineItems()
  public readonly items!: LineItem[];
}
