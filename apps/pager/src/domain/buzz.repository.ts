import type { Buzz } from './buzz';

export abstract class BuzzRepository {
  /**
   * Records `buzz` unless its order was buzzed already; returns the earlier buzz in that case.
   * Check and insert are one step, so two deliveries of one event cannot both buzz; the buzz's
   * message is recorded as handled in the same step.
   */
  abstract recordOnce(buzz: Buzz): Promise<Buzz | undefined>;
  abstract findByOrder(orderId: string): Promise<Buzz | undefined>;
  /** The newest `limit` buzzes, newest first, and how many there are in all. */
  abstract latest(limit: number): Promise<{ buzzes: Buzz[]; total: number }>;
}
