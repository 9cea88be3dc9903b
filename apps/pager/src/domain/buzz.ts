/** One buzz of a customer's pager: their coffee is ready. */
export interface Buzz {
  readonly orderId: string;
  readonly customer: string;
  readonly buzzedAt: string;
  readonly correlationId: string;
  /** The CoffeeBrewed message that caused the buzz. */
  readonly messageId: string;
}
