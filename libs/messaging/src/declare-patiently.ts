import type { Channel, ChannelModel } from 'amqplib';
import { declareTopology, isPreconditionFailed, type TopologySettings } from './topology';

export interface PatientDeclaration {
  /** The first wait after a failure; doubled each time up to {@link maxDelayMs}. */
  readonly delayMs?: number;
  readonly maxDelayMs?: number;
  /** False once the connection was replaced or closed: then stop (the next one declares again). */
  readonly stillCurrent: () => boolean;
  /** Told of each failure that will be retried (to log it). */
  readonly onRetry?: (error: unknown) => void;
}

/**
 * Declares the namespace's topology on channels of its own, again until the broker accepts it.
 *
 * Right after a failover the declaration can fail although nothing is wrong with it: a quorum
 * queue whose leader was on the lost node answers while the survivors elect a new one, and a
 * classic queue whose node is down answers `NOT_FOUND - home node ... is down` until that node
 * is back. Such an error closes the channel it came on, so it is made on a throw-away channel,
 * never on the consumer's or publisher's own (amqp-connection-manager would wait for a
 * reconnection that never comes, or, with nobody listening for its `error` event, crash the
 * process). `PRECONDITION_FAILED` (arguments that disagree) is never retried: it is rethrown.
 */
export async function declarePatiently(
  connection: Pick<ChannelModel, 'createChannel'>,
  settings: TopologySettings,
  { delayMs = 250, maxDelayMs = 5000, stillCurrent, onRetry }: PatientDeclaration,
): Promise<void> {
  for (let wait = delayMs; ; wait = Math.min(wait * 2, maxDelayMs)) {
    let channel: Channel | undefined;
    try {
      channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await declareTopology(channel, settings);
      await channel.close().catch(() => undefined);
      return;
    } catch (error) {
      if (isPreconditionFailed(error) || !stillCurrent()) throw error;
      onRetry?.(error);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
