'use strict';
// Shared plumbing for the bare baseline: env, logging, JSON over node:http, a keep-alive HTTP
// client, the RabbitMQ topology, the SQLite file and clean shutdown. Plain Node, amqplib and
// better-sqlite3, no framework, so the benchmark can measure what NestJS costs on top of the
// same work.

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const Database = require('better-sqlite3');
const { Pool } = require('undici');

// ---------------------------------------------------------------- configuration

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The variable's trimmed value, or undefined when unset or blank (as the NestJS apps read it). */
function env(name) {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function str(name, fallback) {
  return env(name) ?? fallback;
}

function int(name, fallback, min, max) {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(
      `Invalid configuration: ${name}=${JSON.stringify(raw)}: accepts a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function urls(name, fallback) {
  const list = str(name, fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const u of list) {
    if (!/^https?:\/\/\S+$/.test(u)) {
      fail(
        `Invalid configuration: ${name}=${JSON.stringify(u)}: accepts one or more http(s):// URLs separated by commas`,
      );
    }
  }
  return list;
}

const transport = str('TRANSPORT', 'http').toLowerCase();
if (transport !== 'http' && transport !== 'rmq') {
  fail(`Invalid configuration: TRANSPORT=${JSON.stringify(transport)}: accepts http or rmq`);
}
const namespace = str('AMQP_NAMESPACE', 'coffee-shop-baseline');

const config = {
  transport,
  host: str('HOST', '127.0.0.1'),
  amqpUrl: str('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'),
  namespace,
  bodyLimit: int('BODY_LIMIT_BYTES', 16384, 1024, 1048576),
  publishTimeoutMs: int('AMQP_PUBLISH_TIMEOUT_MS', 5000, 100, 60000),
  int,
  str,
  urls,
  hostname: os.hostname(),
};

const topology = {
  exchange: `${namespace}.events`,
  deadLetterExchange: `${namespace}.dlx`,
  deadLetterQueue: `${namespace}.dead-letters`,
  queue: (context) => `${namespace}.${context}`,
};

// ---------------------------------------------------------------- logging

const LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const threshold = Math.max(0, LEVELS.indexOf(str('LOG_LEVEL', 'log').toLowerCase()));

function logger(service) {
  const line = (level, stream) => (message) => {
    if (LEVELS.indexOf(level) <= threshold) {
      stream.write(`[baseline ${service}] ${process.pid} ${level.toUpperCase()} ${message}\n`);
    }
  };
  return {
    error: line('error', process.stderr),
    warn: line('warn', process.stderr),
    log: line('log', process.stdout),
  };
}

// ---------------------------------------------------------------- HTTP server side

const JSON_TYPE = 'application/json; charset=utf-8';
const CORRELATION = 'x-correlation-id';
const MESSAGE_ID = 'x-message-id';
const SANE_ID = /^[\w.:-]{1,128}$/;

function sendJson(res, status, body, headers) {
  const text = JSON.stringify(body);
  const head = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) };
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(text);
}

function httpError(res, status, error, message, extra) {
  sendJson(res, status, { statusCode: status, error, message, ...extra });
}

const notFound = (req, res, path) =>
  httpError(res, 404, 'Not Found', `Cannot ${req.method} ${path}`);

/** Reads a JSON body up to the limit; calls back with (value) or answers 400/413 itself. */
function readJson(req, res, onBody) {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > config.bodyLimit) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return httpError(res, 413, 'Payload Too Large', 'Request body is too large');
    let value;
    try {
      const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      value = JSON.parse(buf.toString('utf8'));
    } catch {
      return httpError(res, 400, 'Bad Request', 'Body is not valid JSON');
    }
    onBody(value);
  });
}

/** Route `(req, res, path)`; the query string is dropped. */
function createServer(route) {
  return http.createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
    const q = req.url.indexOf('?');
    route(req, res, q === -1 ? req.url : req.url.slice(0, q));
  });
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const startedAt = new Date().toISOString();

/** `GET /health`; only served once the process is ready (its server listens last). */
function health(res, service) {
  sendJson(res, 200, { status: 'ok', service, transport, startedAt, pid: process.pid });
}

// ---------------------------------------------------------------- HTTP client side

/**
 * A downstream service: round-robin over its base URLs, each an undici keep-alive pool (256
 * connections, Nagle off), as the NestJS order app's client is, so the comparison measures the
 * framework and not a different HTTP client. `post` resolves {status, body, text} for a 2xx and
 * rejects with err.kind 'timeout' (the deadline passed) or 'unavailable' (refused, reset, non-2xx).
 */
function upstream(hop, baseUrls, timeoutMs) {
  const targets = baseUrls.map((base) => {
    const u = new URL(base);
    return {
      prefix: u.pathname.replace(/\/+$/, ''),
      pool: new Pool(u.origin, { connections: 256, keepAliveTimeout: 30_000 }),
    };
  });
  let next = 0;
  return {
    hop,
    timeoutMs,
    async post(path, payload, headers) {
      const t = targets[next];
      next = (next + 1) % targets.length;
      headers['content-type'] = 'application/json';
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      let status;
      let text;
      try {
        const res = await t.pool.request({
          path: t.prefix + path,
          method: 'POST',
          headers,
          body: payload,
          signal: ac.signal,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        if (ac.signal.aborted) {
          const e = new Error(`${hop} did not answer within ${timeoutMs} ms`);
          e.kind = 'timeout';
          throw e;
        }
        throw unavailable(`${hop} is unavailable: ${err.code || err.message}`);
      } finally {
        clearTimeout(timer);
      }
      if (status < 200 || status >= 300) throw unavailable(`${hop} answered ${status}`);
      return { status, body: JSON.parse(text), text };
    },
    destroy() {
      for (const t of targets) t.pool.destroy();
    },
  };
}

function unavailable(message) {
  const err = new Error(message);
  err.kind = 'unavailable';
  return err;
}

// ---------------------------------------------------------------- RabbitMQ

async function connectBroker(log) {
  const amqp = require('amqplib');
  let connection;
  try {
    // Nagle off: with manual acks it stalls on 40 ms delayed ACKs (see the performance anchors).
    connection = await amqp.connect(config.amqpUrl, { noDelay: true, timeout: 5000 });
  } catch (err) {
    fail(
      `RabbitMQ does not answer at ${config.amqpUrl.replace(/\/\/[^@]*@/, '//')} (${err.code || err.message}); start it (e.g. \`service rabbitmq-server start\`)`,
    );
  }
  connection.on('error', (err) => log.error(`AMQP connection error: ${err.message}`));
  // No reconnection here: a baseline that lost its broker says so and stops.
  connection.on('close', () => {
    if (!shuttingDown) fail('the AMQP connection closed unexpectedly; stopping');
  });
  return connection;
}

/**
 * The exchanges and queues as the NestJS apps declare them: durable topic exchange `<ns>.events`,
 * the dead-letter exchange and its catch-all queue, and this context's work queue bound to
 * `routingKeys` with dead-lettering to `<ns>.dlx`.
 */
async function assertTopology(channel, context, routingKeys) {
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'topic', { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '#');
  const queue = topology.queue(context);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': topology.deadLetterExchange },
  });
  for (const key of routingKeys) await channel.bindQueue(queue, topology.exchange, key);
  return queue;
}

/**
 * Publishes an envelope in NestJS's RMQ wire format (`{pattern, data}`), persistent, with its ids
 * in the AMQP properties; `done(err)` runs when the broker confirms (or refuses) it, or at once
 * if the channel is already closed (shutting down).
 */
function publishEvent(confirmChannel, event, done) {
  const content = Buffer.from(JSON.stringify({ pattern: event.type, data: event }));
  try {
    confirmChannel.publish(
      topology.exchange,
      event.type,
      content,
      {
        persistent: true,
        messageId: event.messageId,
        correlationId: event.correlationId,
        type: event.type,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
        headers: event.causationId ? { 'x-causation-id': event.causationId } : {},
      },
      done,
    );
  } catch (err) {
    done(err);
  }
}

/**
 * The envelope inside a delivery, or undefined when it is not a `{pattern, data}` event whose
 * pattern, type and routing key agree and whose data names an order.
 */
function decodeEvent(message) {
  let packet;
  try {
    packet = JSON.parse(message.content.toString('utf8'));
  } catch {
    return undefined;
  }
  const event = packet && packet.data;
  if (
    !event ||
    typeof event !== 'object' ||
    packet.pattern !== message.fields.routingKey ||
    event.type !== packet.pattern ||
    !event.data ||
    typeof event.data.orderId !== 'string'
  ) {
    return undefined;
  }
  return event;
}

/** Whether `event` is a `type` envelope with its ids, naming an order and its customer. */
function isEventOf(event, type) {
  return (
    event !== null &&
    typeof event === 'object' &&
    event.type === type &&
    typeof event.messageId === 'string' &&
    typeof event.correlationId === 'string' &&
    event.data !== null &&
    typeof event.data === 'object' &&
    typeof event.data.orderId === 'string' &&
    typeof event.data.customer === 'string'
  );
}

/**
 * Consumes `queue` with manual acks. A cancelled consumer is logged; a delivery that is not an
 * event (decodeEvent) or that `accepts` refuses is dead-lettered; the others go to
 * `handle(event, message)`, which settles them. Resolves to the consumer tag.
 */
async function consumeEvents(consumer, queue, log, accepts, handle) {
  const { consumerTag } = await consumer.consume(
    queue,
    (message) => {
      if (message === null) return log.warn(`the broker cancelled the consumer on ${queue}`);
      const event = decodeEvent(message);
      if (!event || !accepts(event)) {
        log.warn(`dead-lettering a malformed message from ${queue}`);
        return consumer.nack(message, false, false);
      }
      handle(event, message);
    },
    { noAck: false },
  );
  return consumerTag;
}

/** A `handle` for consumeEvents: runs `apply(event)` and acks; a throw dead-letters it. */
function ackAfter(consumer, log, apply) {
  return (event, message) => {
    try {
      apply(event);
    } catch (err) {
      log.warn(`dead-lettering ${event.type} ${event.messageId}: ${err.message}`);
      return consumer.nack(message, false, false);
    }
    consumer.ack(message);
  };
}

// ---------------------------------------------------------------- SQLite

// With the index on handled_at that the apps keep to forget old ids (the same insert cost; the
// baseline never prunes, its runs are minutes long).
const PROCESSED_MESSAGES = `CREATE TABLE IF NOT EXISTS processed_messages (
  message_id TEXT PRIMARY KEY,
  handled_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS processed_messages_handled_at ON processed_messages (handled_at);`;

/**
 * This process's SQLite file (the path in `variable`, else `fallback`; `:memory:` works too),
 * opened as the NestJS apps open theirs (libs/storage): WAL, synchronous=NORMAL, a 5 s busy
 * timeout, the WAL shrunk back to 32 MB after a burst; `processed_messages` and `schema` are
 * created if missing. WAL checkpoints run every 200 ms in a worker thread with its own
 * connection instead of inside a commit. `close()` stops that thread, then closes the file.
 */
function openDatabase(variable, fallback, schema, log) {
  const file = str(variable, fallback);
  let db;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('journal_size_limit = 33554432');
    db.exec(PROCESSED_MESSAGES + schema);
  } catch (err) {
    fail(`Cannot open the database ${file}: ${err.message}`);
  }
  let checkpoints;
  if (file !== ':memory:') {
    db.pragma('wal_autocheckpoint = 0');
    checkpoints = new Worker(CHECKPOINTS, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file: path.resolve(file) },
    });
    checkpoints.unref();
    checkpoints.on('error', (err) => {
      checkpoints = undefined;
      if (!db.open) return;
      log.warn(`checkpoints back in the commits of ${file}: ${err.message}`);
      db.pragma('wal_autocheckpoint = 1000');
    });
  }
  const processed = {
    has: db.prepare('SELECT 1 FROM processed_messages WHERE message_id = ?').pluck(),
    record: db.prepare(
      'INSERT OR IGNORE INTO processed_messages (message_id, handled_at) VALUES (?, ?)',
    ),
  };
  return {
    db,
    /** Whether a transaction recorded `messageId` as handled. */
    handled: (messageId) => processed.has.get(messageId) !== undefined,
    /** Records `messageId` as handled; call it inside the transaction that stores the effects. */
    recordHandled: (messageId) => processed.record.run(messageId, Date.now()),
    async close() {
      if (checkpoints) {
        const exited = new Promise((resolve) => checkpoints.once('exit', resolve));
        checkpoints.postMessage('stop');
        await exited;
      }
      if (db.open) db.close();
    },
  };
}

/** The checkpoint thread: a PASSIVE checkpoint (it never blocks the writer) every 200 ms. */
const CHECKPOINTS = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000, fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next tick tries again
  }
}, 200);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * `work` as one transaction per call, BEGIN IMMEDIATE (the write lock up front) like the apps'.
 */
function transaction(db, work) {
  const t = db.transaction(work);
  return (...args) => t.immediate(...args);
}

// ---------------------------------------------------------------- shutdown

let shuttingDown = false;

/**
 * Closes a consuming context: cancels its consumer first (no new deliveries), then its channels,
 * then its connections, ignoring errors from what the broker already closed.
 */
async function closeConsumer({ consumer, consumerTag, channels = [], connections = [] }) {
  await consumer.cancel(consumerTag).catch(() => {});
  for (const channel of [...channels, consumer]) await channel.close().catch(() => {});
  await Promise.all(connections.map((connection) => connection.close().catch(() => {})));
}

/** Runs `close` once on SIGTERM/SIGINT, then exits 0 (or after a 5 s grace at the latest). */
function onShutdown(log, close) {
  const stop = (signal) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(0), 5000).unref();
    Promise.resolve()
      .then(close)
      .catch((err) => log.warn(`while closing: ${err.message}`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 500).unref();
  });
}

module.exports = {
  config,
  topology,
  logger,
  fail,
  sendJson,
  httpError,
  notFound,
  readJson,
  createServer,
  listen,
  health,
  upstream,
  connectBroker,
  assertTopology,
  publishEvent,
  decodeEvent,
  isEventOf,
  consumeEvents,
  ackAfter,
  openDatabase,
  transaction,
  closeConsumer,
  onShutdown,
  closeServer,
  CORRELATION,
  MESSAGE_ID,
  SANE_ID,
};
