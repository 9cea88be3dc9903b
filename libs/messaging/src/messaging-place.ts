/** Where this app consumes: its namespace and queue (used to label dead letters). */
export const MESSAGING_PLACE = Symbol('MESSAGING_PLACE');

export interface MessagingPlace {
  readonly namespace: string;
  readonly queue: string;
}
