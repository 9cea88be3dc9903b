import { parseBuzz, SseParser } from './buzzes';

describe('SseParser', () => {
  it('returns the data of complete events, however the chunks are cut', () => {
    const parser = new SseParser();
    const stream =
      'id: 1\ndata: {"orderId":"a"}\n\n: keep-alive\n\nevent: buzz\ndata: {"orderId":"b"}\r\n\r\n';
    const events: string[] = [];
    for (const char of stream) events.push(...parser.push(char));
    expect(events).toEqual(['{"orderId":"a"}', '{"orderId":"b"}']);
  });

  it('joins multi-line data and accepts "data:" without a space', () => {
    const parser = new SseParser();
    expect(parser.push('data:line1\ndata: line2\n\n')).toEqual(['line1\nline2']);
  });

  it('keeps an incomplete event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"orderId":"a"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual(['{"orderId":"a"}']);
  });
});

describe('parseBuzz', () => {
  it('reads the contract fields', () => {
    expect(
      parseBuzz(
        '{"orderId":"o1","customer":"Ann","buzzedAt":"2026-01-01T00:00:00.000Z","correlationId":"c1","messageId":"m1"}',
      ),
    ).toEqual({
      orderId: 'o1',
      customer: 'Ann',
      buzzedAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c1',
      messageId: 'm1',
    });
  });

  it('ignores what is not a buzz', () => {
    expect(parseBuzz('not json')).toBeUndefined();
    expect(parseBuzz('42')).toBeUndefined();
    expect(parseBuzz('{"hello":"world"}')).toBeUndefined();
  });
});
