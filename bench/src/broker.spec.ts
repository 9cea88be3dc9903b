import { EventTypes } from '@app/contracts';
import { encodePacket } from '@app/messaging';
import { coffeeBrewedOf, countRebrews } from './broker';

describe('coffeeBrewedOf', () => {
  const packet = (envelope: unknown) => encodePacket(EventTypes.CoffeeBrewed, envelope);

  it('reads the order id from the envelope and the message id from the AMQP properties', () => {
    const content = packet({
      messageId: 'm-envelope',
      type: EventTypes.CoffeeBrewed,
      data: { orderId: 'o1' },
    });
    expect(coffeeBrewedOf(content, 'm-amqp')).toEqual({ orderId: 'o1', messageId: 'm-amqp' });
    expect(coffeeBrewedOf(content, undefined)).toEqual({ orderId: 'o1', messageId: 'm-envelope' });
  });

  it('returns nothing for what is not a CoffeeBrewed packet', () => {
    expect(coffeeBrewedOf(Buffer.from('not json'), 'm')).toEqual({});
    expect(coffeeBrewedOf(Buffer.from('not json'), undefined)).toEqual({});
    expect(coffeeBrewedOf(packet({ data: {} }), undefined)).toEqual({});
  });
});

describe('countRebrews', () => {
  it('counts orders brewed under more than one message id, among the run’s orders', () => {
    const brews = new Map([
      ['o1', new Set(['a'])],
      ['o2', new Set(['b', 'c'])],
      ['o3', new Set(['d', 'e', 'f'])],
      ['other-run', new Set(['g', 'h'])],
    ]);
    expect(countRebrews(brews, (id) => id !== 'other-run')).toEqual({
      brewedTwice: 2,
      extraBrews: 3,
    });
    expect(countRebrews(new Map())).toEqual({ brewedTwice: 0, extraBrews: 0 });
  });
});
