import 'reflect-metadata';
import { PlaceOrderRequest } from '@app/contracts';
import { type ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describeValidationErrors, invalidFields, requestValidationPipe } from './validation';

const body: ArgumentMetadata = { type: 'body', metatype: PlaceOrderRequest, data: '' };

const latte = { drink: 'latte', size: 'medium', quantity: 1 };

interface Refusal {
  readonly statusCode: number;
  readonly message: string[];
  readonly fields: string[];
}

/** What the pipe answers for `value`: the 400 body it throws. */
async function refusal(value: unknown): Promise<Refusal> {
  const error: unknown = await requestValidationPipe()
    .transform(value, body)
    .then(
      () => new Error('expected the request to be refused'),
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as BadRequestException).getResponse() as Refusal;
}

describe('describeValidationErrors and invalidFields', () => {
  const errors = () =>
    validateSync(
      plainToInstance(PlaceOrderRequest, {
        customer: '',
        items: [latte, { drink: 'latte', size: 'huge', quantity: 0 }],
      }),
    );

  it('writes one line per problem, with nested paths like items.1.size', () => {
    const lines = describeValidationErrors(errors());

    expect(lines).toEqual(
      expect.arrayContaining([
        'customer must be longer than or equal to 1 characters',
        'items.1.size must be one of the following values: small, medium, large',
        'items.1.quantity must not be less than 1',
      ]),
    );
    expect(lines.some((line) => line.startsWith('items.0'))).toBe(false);
  });

  it('names each offending field once, by its path', () => {
    expect(invalidFields(errors()).sort()).toEqual([
      'customer',
      'items.1.quantity',
      'items.1.size',
    ]);
  });

  it('prefixes the path to messages that do not start with the property name', () => {
    const lines = describeValidationErrors([
      {
        property: 'items',
        children: [
          {
            property: '0',
            children: [{ property: 'extra', constraints: { whitelist: 'nope' }, children: [] }],
          },
        ],
      },
    ]);

    expect(lines).toEqual(['items.0.extra: nope']);
  });
});

describe('requestValidationPipe with PlaceOrderRequest', () => {
  it('passes a valid order through as a PlaceOrderRequest', async () => {
    const request: unknown = await requestValidationPipe().transform(
      { customer: 'Ada', items: [latte] },
      body,
    );

    expect(request).toBeInstanceOf(PlaceOrderRequest);
    expect(request).toEqual({ customer: 'Ada', items: [latte] });
  });

  it('accepts the limits: 10 items of 10 each', async () => {
    const items = Array.from({ length: 10 }, () => ({ ...latte, quantity: 10 }));

    await expect(
      requestValidationPipe().transform({ customer: 'Ada', items }, body),
    ).resolves.toBeInstanceOf(PlaceOrderRequest);
  });

  it('answers 400 with the lines and the fields', async () => {
    const answer = await refusal({ customer: 'Ada', items: [{ ...latte, size: 'huge' }] });

    expect(answer).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['items.0.size must be one of the following values: small, medium, large'],
      fields: ['items.0.size'],
    });
  });

  it('refuses unknown fields by name, at the top and nested', async () => {
    const answer = await refusal({
      customer: 'Ada',
      items: [{ ...latte, milk: 'oat' }],
      table: 4,
    });

    expect(answer.fields.sort()).toEqual(['items.0.milk', 'table']);
    expect(answer.message).toEqual(
      expect.arrayContaining([
        'table: property table should not exist',
        'items.0.milk: property milk should not exist',
      ]),
    );
  });

  it.each([
    ['no items', { customer: 'Ada', items: [] }, 'items', 'items must contain at least 1 elements'],
    [
      '11 items',
      { customer: 'Ada', items: Array.from({ length: 11 }, () => latte) },
      'items',
      'items must contain no more than 10 elements',
    ],
    [
      'quantity 0',
      { customer: 'Ada', items: [{ ...latte, quantity: 0 }] },
      'items.0.quantity',
      'items.0.quantity must not be less than 1',
    ],
    [
      'quantity 11',
      { customer: 'Ada', items: [latte, { ...latte, quantity: 11 }] },
      'items.1.quantity',
      'items.1.quantity must not be greater than 10',
    ],
    [
      'a blank customer',
      { customer: '   ', items: [latte] },
      'customer',
      'customer must be printable text, not blank (no control characters or unpaired surrogates)',
    ],
    [
      'a drink not on the menu',
      { customer: 'Ada', items: [{ ...latte, drink: 'tea' }] },
      'items.0.drink',
      'items.0.drink must be one of the following values: espresso, americano, latte, cappuccino, flat-white, mocha',
    ],
    [
      'arrays where line items belong',
      { customer: 'Ada', items: [[[[]]]] },
      'items',
      'items: each of items must be an object',
    ],
    [
      'a customer with a control character',
      { customer: 'Ada\u0000', items: [latte] },
      'customer',
      'customer must be printable text, not blank (no control characters or unpaired surrogates)',
    ],
    [
      'a customer with an unpaired surrogate',
      { customer: 'Ada \ud800', items: [latte] },
      'customer',
      'customer must be printable text, not blank (no control characters or unpaired surrogates)',
    ],
  ])('refuses %s', async (_, value, field, line) => {
    const answer = await refusal(value);

    expect(answer.fields).toEqual([field]);
    expect(answer.message).toContain(line);
  });

  it('accepts a customer name in any script, emoji included', async () => {
    await expect(
      requestValidationPipe().transform({ customer: 'Zoë 李 ☕️ 👩🏽‍🍳', items: [latte] }, body),
    ).resolves.toBeInstanceOf(PlaceOrderRequest);
  });

  it('answers 400, not 500, when validation itself cannot walk the input', async () => {
    let deep: unknown = [];
    for (let level = 0; level < 20_000; level += 1) deep = [deep];

    const answer = await refusal({ customer: 'Ada', items: [latte], extra: deep });

    expect(answer.statusCode).toBe(400);
    expect(answer.message[0]).toMatch(/^the input cannot be validated: /);
  });

  it('refuses a missing body, naming the required fields', async () => {
    const answer = await refusal(undefined);

    expect(answer.fields.sort()).toEqual(['customer', 'items']);
  });
});
