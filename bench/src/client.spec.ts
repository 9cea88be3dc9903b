import { DRINKS, PlaceOrderRequest, SIZES } from '@app/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { classifyError, classifyStatus, orderBody } from './client';

describe('classifyStatus', () => {
  it('accepts 201 (sync) and 202 (async) and keeps the order id', () => {
    expect(classifyStatus(201, { id: 'o1', status: 'ready' })).toEqual({
      accepted: true,
      status: 201,
      orderId: 'o1',
    });
    expect(classifyStatus(202, { id: 'o2', status: 'placed' })).toEqual({
      accepted: true,
      status: 202,
      orderId: 'o2',
    });
  });

  it('504 is a timeout, other 5xx are 5xx, with the hop the order app blamed', () => {
    expect(classifyStatus(504, { hop: 'barista' })).toEqual({
      accepted: false,
      failure: { reason: 'timeout', status: 504, hop: 'barista' },
    });
    expect(classifyStatus(503, { hop: 'broker' })).toEqual({
      accepted: false,
      failure: { reason: '5xx', status: 503, hop: 'broker' },
    });
    expect(classifyStatus(500, undefined)).toEqual({
      accepted: false,
      failure: { reason: '5xx', status: 500, hop: undefined },
    });
  });

  it('4xx is "other" (the bench sent something the shop refused)', () => {
    expect(classifyStatus(400, {})).toMatchObject({
      accepted: false,
      failure: { reason: 'other', status: 400 },
    });
  });
});

describe('classifyError', () => {
  it('tells a refused connection from a timeout from anything else', () => {
    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toEqual({
      reason: 'refused',
      hop: 'client',
    });
    expect(
      classifyError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
    ).toEqual({ reason: 'timeout', hop: 'client' });
    expect(classifyError(new Error('socket hang up'))).toEqual({ reason: 'other', hop: 'client' });
  });

  it('looks into the cause of a wrapped error', () => {
    const wrapped = new Error('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyError(wrapped).reason).toBe('refused');
  });
});

describe('orderBody', () => {
  it('is a valid order for the contract, and goes round the whole menu', () => {
    const drinks = new Set<string>();
    const sizes = new Set<string>();
    for (let seq = 0; seq < DRINKS.length * SIZES.length; seq += 1) {
      const body: unknown = JSON.parse(orderBody(seq));
      const order = plainToInstance(PlaceOrderRequest, body);
      expect(validateSync(order, { whitelist: true, forbidNonWhitelisted: true })).toEqual([]);
      for (const item of order.items) {
        drinks.add(item.drink);
        sizes.add(item.size);
      }
    }
    expect([...drinks].sort()).toEqual([...DRINKS].sort());
    expect([...sizes].sort()).toEqual([...SIZES].sort());
  });
});
