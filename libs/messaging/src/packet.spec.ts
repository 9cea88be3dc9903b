import { decodePacket, encodePacket, envelopeIn } from './packet';

describe('encodePacket / decodePacket', () => {
  it('read back what they write', () => {
    const envelope = { type: 'order.placed', data: { orderId: 'o-1' } };

    expect(decodePacket(encodePacket('order.placed', envelope))).toEqual({
      packet: { pattern: 'order.placed', data: envelope },
    });
    expect(envelopeIn(encodePacket('order.placed', envelope))).toEqual(envelope);
  });

  it.each([
    ['not JSON', 'malformed: the body is not JSON'],
    ['[1, 2]', 'malformed: the body is not a JSON object'],
    ['null', 'malformed: the body is not a JSON object'],
    ['{"data": {}}', 'malformed: the body has no string "pattern"'],
    ['{"pattern": "order.placed", "data": "text"}', 'malformed: the body has no object "data"'],
    ['{"pattern": "order.placed"}', 'malformed: the body has no object "data"'],
  ])('names what is wrong with %s, and finds no envelope in it', (body, problem) => {
    expect(decodePacket(Buffer.from(body))).toEqual({ problem });
    expect(envelopeIn(Buffer.from(body))).toBeUndefined();
  });
});
