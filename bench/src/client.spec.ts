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
  it('is a valid order for the contract', () => {
    for (let seq = 0; seq < 12; seq += 1) {
      const body = JSON.parse(orderBody(seq)) as {
        customer: string;
        items: { drink: string; size: string; quantity: number }[];
      };
      expect(body.customer.length).toBeGreaterThan(0);
      expect(body.customer.length).toBeLessThanOrEqual(64);
      expect(body.items).toHaveLength(1);
      expect(['espresso', 'americano', 'latte', 'cappuccino', 'flat-white', 'mocha']).toContain(
        body.items[0].drink,
      );
      expect(['small', 'medium', 'large']).toContain(body.items[0].size);
      expect(body.items[0].quantity).toBeGreaterThanOrEqual(1);
      expect(body.items[0].quantity).toBeLessThanOrEqual(10);
    }
  });
});
