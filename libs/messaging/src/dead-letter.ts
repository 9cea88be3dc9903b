import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { DeadLetterHeaders, topology } from './topology';

/**
 * Moves `message` to the dead-letter exchange with `reason` in its headers, then acks the
 * original. The copy is published on the consumer's own (confirm) channel and the original is
 * acked only once the broker has confirmed the copy, so a crash in between redelivers rather
 * than loses it.
 */
export async function deadLetter(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  reason: string,
  place: { namespace: string; queue: string },
): Promise<void> {
  const { properties, fields, content } = message;
  const headers = {
    ...(properties.headers ?? {}),
    [DeadLetterHeaders.Reason]: reason.slice(0, 1000),
    [DeadLetterHeaders.Queue]: place.queue,
    [DeadLetterHeaders.Exchange]: fields.exchange,
    [DeadLetterHeaders.RoutingKey]: fields.routingKey,
    [DeadLetterHeaders.DeadLetteredAt]: new Date().toISOString(),
  };
  await new Promise<void>((resolve, reject) => {
    channel.publish(
      topology(place.namespace).deadLetterExchange,
      fields.routingKey,
      content,
      {
        contentType: properties.contentType as string | undefined,
        messageId: properties.messageId as string | undefined,
        correlationId: properties.correlationId as string | undefined,
        type: properties.type as string | undefined,
        timestamp: properties.timestamp as number | undefined,
        persistent: true,
        headers,
      },
      (error: unknown) => (error ? reject(asError(error)) : resolve()),
    );
    // A plain channel has no confirms: the callback never fires, so settle at once.
    if (!('waitForConfirms' in channel)) resolve();
  });
  channel.ack(message);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
