'use strict';
// Bare pager: buzzes each order once when its coffee is brewed, and keeps each buzz, with the id
// of the coffee.brewed message that caused it, in pager's SQLite file.
// http: POST /buzzes takes the CoffeeBrewed envelope (201 new buzz, 200 repeat).
// rmq: consumes coffee.brewed from <ns>.pager.
// Both: GET /buzzes (newest 100 first, and the total), GET /buzzes/:orderId, and
// GET /buzzes/stream (Server-Sent Events: `id: <orderId>` and `data: <buzz JSON>` per buzz).

const c = require('./common');

const { config } = c;
const log = c.logger('pager');
const port = config.int('PAGER_PORT', 3002, 1, 65535);
const prefetch = config.int('PAGER_PREFETCH', 100, 1, 10000);

const streams = new Set(); // open SSE responses

// ---------------------------------------------------------------- storage (as the NestJS app's)

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buzzes (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  customer TEXT NOT NULL,
  buzzed_at TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  message_id TEXT NOT NULL
);`;

const store = c.openDatabase('PAGER_DB_PATH', 'data/baseline-pager.sqlite', SCHEMA, log);
const { db } = store;
const COLUMNS =
  'order_id AS orderId, customer, buzzed_at AS buzzedAt, correlation_id AS correlationId, message_id AS messageId';
const insertBuzz = db.prepare(
  'INSERT OR IGNORE INTO buzzes (order_id, customer, buzzed_at, correlation_id, message_id) VALUES (?, ?, ?, ?, ?)',
);
const selectBuzz = db.prepare(`SELECT ${COLUMNS} FROM buzzes WHERE order_id = ?`);
const newestBuzzes = db.prepare(`SELECT ${COLUMNS} FROM buzzes ORDER BY seq DESC LIMIT 100`);
const countBuzzes = db.prepare('SELECT COUNT(*) FROM buzzes').pluck();

/**
 * Stores `made` unless its order was buzzed already, and its message id as handled, in one
 * transaction; returns the earlier buzz if there was one.
 */
const storeBuzz = c.transaction(db, (made) => {
  store.recordHandled(made.messageId);
  const { orderId, customer, buzzedAt, correlationId, messageId } = made;
  if (insertBuzz.run(orderId, customer, buzzedAt, correlationId, messageId).changes === 1) {
    return undefined;
  }
  return selectBuzz.get(orderId);
});

// ---------------------------------------------------------------- the pager

function isCoffeeBrewed(event) {
  return c.isEventOf(event, 'coffee.brewed');
}

/** The buzz for this coffee, and whether it is new (a repeat does not buzz again). */
function buzz(brewed) {
  const made = {
    orderId: brewed.data.orderId,
    customer: brewed.data.customer,
    buzzedAt: new Date().toISOString(),
    correlationId: brewed.correlationId,
    messageId: brewed.messageId,
  };
  const earlier = storeBuzz(made);
  if (earlier) return { buzz: earlier, created: false };
  if (streams.size > 0) {
    const frame = `id: ${made.orderId}\ndata: ${JSON.stringify(made)}\n\n`;
    for (const res of streams) res.write(frame);
  }
  return { buzz: made, created: true };
}

function openStream(req, res) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  streams.add(res);
  req.on('close', () => streams.delete(res));
}

const server = c.createServer((req, res, path) => {
  if (req.method === 'GET') {
    if (path === '/health') return c.health(res, 'pager');
    if (path === '/buzzes') {
      return c.sendJson(res, 200, { buzzes: newestBuzzes.all(), total: countBuzzes.get() });
    }
    if (path === '/buzzes/stream') return openStream(req, res);
    if (path.startsWith('/buzzes/')) {
      const orderId = path.slice('/buzzes/'.length);
      const found = selectBuzz.get(orderId);
      if (found) return c.sendJson(res, 200, found);
      return c.httpError(res, 404, 'Not Found', `Order ${orderId} has not been buzzed`);
    }
  } else if (req.method === 'POST' && path === '/buzzes' && config.transport === 'http') {
    return c.readJson(req, res, (brewed) => {
      if (!isCoffeeBrewed(brewed)) {
        return c.httpError(res, 400, 'Bad Request', 'body is not a coffee.brewed envelope');
      }
      let result;
      try {
        result = buzz(brewed);
      } catch (err) {
        log.error(`storage failed: ${err.message}`);
        return c.httpError(res, 500, 'Internal Server Error', 'Internal server error');
      }
      c.sendJson(res, result.created ? 201 : 200, result.buzz);
    });
  }
  c.notFound(req, res, path);
});

async function startRmq() {
  const connection = await c.connectBroker(log);
  const consumer = await connection.createChannel();
  const queue = await c.assertTopology(consumer, 'pager', ['coffee.brewed']);
  await consumer.prefetch(prefetch);
  const consumerTag = await c.consumeEvents(
    consumer,
    queue,
    log,
    isCoffeeBrewed,
    c.ackAfter(consumer, log, buzz),
  );
  return () => c.closeConsumer({ consumer, consumerTag, connections: [connection] });
}

async function main() {
  const closeBroker = config.transport === 'rmq' ? await startRmq() : async () => {};
  c.onShutdown(log, async () => {
    for (const res of streams) res.end();
    streams.clear();
    await Promise.all([c.closeServer(server), closeBroker()]);
    await store.close();
  });
  await c.listen(server, port, config.host);
  log.log(`listening on http://${config.host}:${port} (transport ${config.transport})`);
}

main().catch((err) => c.fail(`pager failed to start: ${err.message}`));
