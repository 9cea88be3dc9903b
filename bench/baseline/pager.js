'use strict';
// Bare pager: buzzes each order once when its coffee is brewed.
// http: POST /buzzes takes the CoffeeBrewed envelope (201 new buzz, 200 repeat).
// rmq: consumes coffee.brewed from <ns>.pager.
// Both: GET /buzzes (newest 100 first, and the total), GET /buzzes/:orderId, and
// GET /buzzes/stream (Server-Sent Events: `id: <orderId>` and `data: <buzz JSON>` per buzz).

const c = require('./common');

const { config } = c;
const log = c.logger('pager');
const port = config.int('PAGER_PORT', 3002, 1, 65535);
const prefetch = config.int('PAGER_PREFETCH', 100, 1, 10000);
const RECENT = 100;

const buzzes = new Map(); // orderId → buzz
const recent = []; // the last RECENT buzzes, newest first
const streams = new Set(); // open SSE responses

function isCoffeeBrewed(event) {
  return (
    event !== null &&
    typeof event === 'object' &&
    event.type === 'coffee.brewed' &&
    typeof event.messageId === 'string' &&
    event.data !== null &&
    typeof event.data === 'object' &&
    typeof event.data.orderId === 'string'
  );
}

/** The buzz for this coffee, and whether it is new (a repeat does not buzz again). */
function buzz(brewed) {
  const { orderId, customer } = brewed.data;
  const existing = buzzes.get(orderId);
  if (existing) return { buzz: existing, created: false };
  const made = {
    orderId,
    customer,
    buzzedAt: new Date().toISOString(),
    correlationId: brewed.correlationId,
    messageId: brewed.messageId,
  };
  buzzes.set(orderId, made);
  recent.unshift(made);
  if (recent.length > RECENT) recent.pop();
  if (streams.size > 0) {
    const frame = `id: ${orderId}\ndata: ${JSON.stringify(made)}\n\n`;
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
    if (path === '/buzzes') return c.sendJson(res, 200, { buzzes: recent, total: buzzes.size });
    if (path === '/buzzes/stream') return openStream(req, res);
    if (path.startsWith('/buzzes/')) {
      const orderId = path.slice('/buzzes/'.length);
      const found = buzzes.get(orderId);
      if (found) return c.sendJson(res, 200, found);
      return c.httpError(res, 404, 'Not Found', `Order ${orderId} has not been buzzed`);
    }
  } else if (req.method === 'POST' && path === '/buzzes' && config.transport === 'http') {
    return c.readJson(req, res, (brewed) => {
      if (!isCoffeeBrewed(brewed)) {
        return c.httpError(res, 400, 'Bad Request', 'body is not a coffee.brewed envelope');
      }
      const result = buzz(brewed);
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
  const { consumerTag } = await consumer.consume(
    queue,
    (message) => {
      if (message === null) return log.warn(`the broker cancelled the consumer on ${queue}`);
      const event = c.decodeEvent(message);
      if (!event || !isCoffeeBrewed(event)) {
        log.warn(`dead-lettering a malformed message from ${queue}`);
        return consumer.nack(message, false, false);
      }
      buzz(event);
      consumer.ack(message);
    },
    { noAck: false },
  );
  return () => c.closeConsumer({ consumer, consumerTag, connections: [connection] });
}

async function main() {
  const closeBroker = config.transport === 'rmq' ? await startRmq() : async () => {};
  c.onShutdown(log, async () => {
    for (const res of streams) res.end();
    streams.clear();
    await Promise.all([c.closeServer(server), closeBroker()]);
  });
  await c.listen(server, port, config.host);
  log.log(`listening on http://${config.host}:${port} (transport ${config.transport})`);
}

main().catch((err) => c.fail(`pager failed to start: ${err.message}`));
