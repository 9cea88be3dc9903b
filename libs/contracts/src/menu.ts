/** The fixed menu. Anything else is refused at the counter. */
export const DRINKS = [
  'espresso',
  'americano',
  'latte',
  'cappuccino',
  'flat-white',
  'mocha',
] as const;
export type Drink = (typeof DRINKS)[number];

export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

export const MAX_LINE_ITEMS = 10;
export const MAX_QUANTITY = 10;
export const MAX_CUSTOMER_NAME = 64;
