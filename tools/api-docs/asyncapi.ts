import { BrewStarted, CoffeeBrewed, EventTypes, HttpHeaders, OrderPlaced } from '@app/contracts';
import { DeadLetterHeaders, MAX_RETRY_ATTEMPTS, topology } from '@app/messaging';
import { loadConfig, referencedSchemas, schemaRef } from '@app/platform';
import { OrderConfig } from '../../apps/order/src/order.config';
import { CONTEXTS, type Context, handledPatterns, withApp } from './contexts';

/** Each event's contract class, by routing key. */
const EVENTS = [
  { name: 'OrderPlaced', type: EventTypes.OrderPlaced, contract: OrderPlaced },
  { name: 'BrewStarted', type: EventTypes.BrewStarted, contract: BrewStarted },
  { name: 'CoffeeBrewed', type: EventTypes.CoffeeBrewed, contract: CoffeeBrewed },
] as const;

/**
 * Who publishes what. Publishing is a call inside a handler (`envelope(EventTypes.X, ...)` in
 * order's place-order handler and barista's brew-coffee handler), not metadata, so it is stated
 * here; what each context consumes is read from its message controllers' `@EventPattern`s.
 */
const PUBLISHERS: Record<Context, readonly string[]> = {
  order: [EventTypes.OrderPlaced],
  barista: [EventTypes.BrewStarted, EventTypes.CoffeeBrewed],
  pager: [],
};

const AMQP_BINDING_VERSION = '0.3.0';
const VHOST = '/';

/** What each context's queue is bound to under TRANSPORT=rmq, read off its composition root. */
export async function consumedEvents(): Promise<Record<Context, string[]>> {
  const found = {} as Record<Context, string[]>;
  for (const context of CONTEXTS) found[context] = await withApp(context, 'rmq', handledPatterns);
  return found;
}

/**
 * The AsyncAPI 3.0 document of the shop under TRANSPORT=rmq: the topic exchange and one channel
 * per routing key, each context's queue with its bindings, retry queues and the dead-letter
 * queue (names from @app/messaging's topology under the default AMQP_NAMESPACE), the messages
 * with their payloads from the contract classes' validation rules, and who sends and receives
 * what.
 */
export async function asyncApiDocument(): Promise<Record<string, unknown>> {
  const namespace = loadConfig(OrderConfig, {}).AMQP_NAMESPACE;
  const names = topology(namespace);
  const consumed = await consumedEvents();
  const eventOf = (type: string) => {
    const event = EVENTS.find((candidate) => candidate.type === type);
    if (!event) throw new Error(`No contract class for event pattern ${type}`);
    return event;
  };
  const messageRef = (name: string) => ({ $ref: `#/components/messages/${name}` });
  const exchange = {
    name: names.exchange,
    type: 'topic',
    durable: true,
    autoDelete: false,
    vhost: VHOST,
  };

  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const event of EVENTS) {
    channels[event.type] = {
      address: event.type,
      title: `${event.name} on ${names.exchange}`,
      description: `Routing key \`${event.type}\` on the durable topic exchange \`${names.exchange}\`.`,
      messages: { [event.name]: messageRef(event.name) },
      bindings: { amqp: { is: 'routingKey', exchange, bindingVersion: AMQP_BINDING_VERSION } },
    };
  }

  for (const context of CONTEXTS) {
    for (const type of PUBLISHERS[context]) {
      const event = eventOf(type);
      operations[`${context}.send.${event.name}`] = {
        action: 'send',
        title: `${context} publishes ${event.name}`,
        description:
          'Persistent, on a confirm channel; the envelope ids are copied to the AMQP properties ' +
          '(`messageId`, `correlationId`, `type`, `timestamp`).',
        channel: { $ref: `#/channels/${event.type}` },
        messages: [{ $ref: `#/channels/${event.type}/messages/${event.name}` }],
        bindings: {
          amqp: { deliveryMode: 2, timestamp: true, bindingVersion: AMQP_BINDING_VERSION },
        },
      };
    }
    const patterns = consumed[context];
    if (patterns.length === 0) continue;
    const queue = names.queue(context);
    const messages = Object.fromEntries(
      patterns.map((type) => [eventOf(type).name, messageRef(eventOf(type).name)]),
    );
    channels[queue] = {
      address: queue,
      title: `${context}'s queue`,
      description:
        `Durable; bound to \`${names.exchange}\` with ${patterns.map((p) => `\`${p}\``).join(', ')}; ` +
        `dead-letters to \`${names.deadLetterExchange}\`. Manual acks after the handler's work, ` +
        'a bounded prefetch; several instances of the context are competing consumers.',
      messages,
      bindings: {
        amqp: {
          is: 'queue',
          queue: { name: queue, durable: true, exclusive: false, autoDelete: false, vhost: VHOST },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
    };
    for (const type of patterns) {
      const event = eventOf(type);
      operations[`${context}.receive.${event.name}`] = {
        action: 'receive',
        title: `${context} consumes ${event.name}`,
        channel: { $ref: `#/channels/${queue}` },
        messages: [{ $ref: `#/channels/${queue}/messages/${event.name}` }],
        bindings: { amqp: { ack: true, bindingVersion: AMQP_BINDING_VERSION } },
      };
    }
    const retry = names.retryQueue(context, 0).replace(/0$/, '{attempt}');
    channels[retry] = {
      address: retry,
      title: `${context}'s retry queues`,
      description:
        `Where a message whose handler failed waits before retry number {attempt} (1 to ` +
        `RETRY_ATTEMPTS, default 3), for RETRY_BASE_DELAY_MS × 2^(attempt-1) (a per-message ` +
        `TTL); then the broker dead-letters it back to \`${queue}\` through the default exchange.`,
      parameters: {
        attempt: {
          description: 'The failed attempts so far.',
          enum: Array.from({ length: MAX_RETRY_ATTEMPTS }, (_, i) => String(i + 1)),
        },
      },
      messages: Object.fromEntries(
        patterns.map((type) => [eventOf(type).name, messageRef(`${eventOf(type).name}Retry`)]),
      ),
      bindings: {
        amqp: {
          is: 'queue',
          queue: { name: retry, durable: true, exclusive: false, autoDelete: false, vhost: VHOST },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
    };
  }

  channels[names.deadLetterQueue] = {
    address: names.deadLetterQueue,
    title: 'Dead letters',
    description:
      `Bound with \`#\` to the topic exchange \`${names.deadLetterExchange}\`. Malformed or invalid ` +
      'messages (no retries) and messages whose retries are exhausted end here with the reason ' +
      'in their headers; `npm run dlq -- list|replay <id>|purge` reads them.',
    messages: Object.fromEntries(EVENTS.map((e) => [e.name, messageRef(`${e.name}DeadLetter`)])),
    bindings: {
      amqp: {
        is: 'queue',
        queue: {
          name: names.deadLetterQueue,
          durable: true,
          exclusive: false,
          autoDelete: false,
          vhost: VHOST,
        },
        bindingVersion: AMQP_BINDING_VERSION,
      },
    },
  };

  const messages: Record<string, unknown> = {};
  for (const event of EVENTS) {
    const base = {
      name: event.name,
      title: event.name,
      contentType: 'application/json',
      correlationId: {
        description:
          "The order's correlation id: the AMQP `correlationId` property, also `data`'s.",
        location: '$message.payload#/data/correlationId',
      },
      payload: {
        type: 'object',
        description:
          "NestJS's RMQ wire format: the pattern (= routing key) and the event's envelope. Under " +
          'TRANSPORT=http the envelope alone is the body of `POST /brews` and `POST /buzzes`.',
        required: ['pattern', 'data'],
        properties: {
          pattern: { type: 'string', const: event.type },
          data: schemaRef(event.contract),
        },
      },
      bindings: {
        amqp: { messageType: event.type, bindingVersion: AMQP_BINDING_VERSION },
      },
    };
    messages[event.name] = { ...base, headers: PUBLISHED_HEADERS };
    messages[`${event.name}Retry`] = {
      ...base,
      name: `${event.name}Retry`,
      title: `${event.name} waiting for a retry`,
      headers: RETRY_HEADERS,
    };
    messages[`${event.name}DeadLetter`] = {
      ...base,
      name: `${event.name}DeadLetter`,
      title: `${event.name}, dead-lettered`,
      headers: DEAD_LETTER_HEADERS,
    };
  }

  const document = {
    asyncapi: '3.0.0',
    info: {
      title: 'coffee-shop events',
      version: '1',
      description:
        'The events of the coffee shop under TRANSPORT=rmq. Generated by `npm run docs:api` from ' +
        "the contract classes' validation rules (@app/contracts), the messaging topology " +
        `(@app/messaging) and each context's message handlers. Names shown for ` +
        `AMQP_NAMESPACE=${namespace} (the default): every exchange and queue is prefixed by it.`,
    },
    defaultContentType: 'application/json',
    servers: {
      rabbitmq: {
        host: 'localhost:5672',
        protocol: 'amqp',
        protocolVersion: '0-9-1',
        description: 'AMQP_URL (amqp://guest:guest@127.0.0.1:5672 by default).',
      },
    },
    channels,
    operations,
    components: { messages, schemas: {} as Record<string, unknown> },
  };
  document.components.schemas = referencedSchemas(document);
  return document;
}

const PUBLISHED_HEADERS = {
  type: 'object',
  properties: {
    [HttpHeaders.CorrelationId]: {
      type: 'string',
      description: "The order's correlation id (`correlationId` in the body), as over HTTP.",
    },
    [HttpHeaders.Traceparent]: {
      type: 'string',
      description:
        'W3C Trace Context of this message (`traceparent` in the body): the trace id of the ' +
        'request that placed the order, a span id of its own; the same name as over HTTP.',
    },
    'x-causation-id': {
      type: 'string',
      format: 'uuid',
      description: 'The message that caused this one (CoffeeBrewed and BrewStarted: OrderPlaced).',
    },
  },
};

const ORIGIN_HEADERS = {
  [DeadLetterHeaders.Error]: {
    type: 'string',
    description: "The last failure's message (a handler's error, or why the message was refused).",
  },
  [DeadLetterHeaders.Attempts]: {
    type: 'integer',
    description: 'Handler attempts made, all failed (0 for a message refused before any ran).',
  },
  [DeadLetterHeaders.Queue]: { type: 'string', description: 'The queue it was consumed from.' },
  [DeadLetterHeaders.Exchange]: {
    type: 'string',
    description: 'The exchange it was published to.',
  },
  [DeadLetterHeaders.RoutingKey]: { type: 'string', description: 'Its original routing key.' },
};

const RETRY_HEADERS = {
  type: 'object',
  required: [
    DeadLetterHeaders.Error,
    DeadLetterHeaders.Attempts,
    DeadLetterHeaders.Queue,
    DeadLetterHeaders.Exchange,
    DeadLetterHeaders.RoutingKey,
  ],
  properties: { ...PUBLISHED_HEADERS.properties, ...ORIGIN_HEADERS },
};

const DEAD_LETTER_HEADERS = {
  type: 'object',
  required: [DeadLetterHeaders.Reason, DeadLetterHeaders.DeadLetteredAt, ...RETRY_HEADERS.required],
  properties: {
    ...RETRY_HEADERS.properties,
    [DeadLetterHeaders.Reason]: {
      type: 'string',
      description:
        'Why it ended here: malformed, invalid (which fields), or the last error after its retries.',
    },
    [DeadLetterHeaders.DeadLetteredAt]: { type: 'string', format: 'date-time' },
  },
};
