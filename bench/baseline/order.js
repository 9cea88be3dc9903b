'use strict';
// Bare order counter: POST /orders keeps the order in a Map, then
// http: calls barista (POST /brews) and waits for the coffee, calls pager (POST /buzzes), 201;
// rmq: publishes order.placed (persistent, confirmed) and answers 202 once the broker confirmed;
//      consumes brew.started and coffee.brewed from <ns>.order to move the order along.

const { randomUUID } = require('node:crypto');
const c = require('./common');

const { config } = c;
const log = c.logger('order');
const port = config.int('ORDER_PORT', 3000, 1, 65535);
const prefetch = config.int('ORDER_PREFETCH', 100, 1, 10000);

const DRINKS = new Set(['espresso', 'americano', 'latte', 'cappuccino', 'flat-white', 'mocha']);
const SIZES = new Set(['small', 'medium', 'large']);

/** @type {Map<string, {id, customer, items, status, history, correlationId}>} */
const orders = new Map();

// ---------------------------------------------------------------- the order

/** The cleaned order request, or a list of what is wrong with it. */
function validate(body) {
  const errors = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { errors: ['body must be a JSON object'] };
  }
  const { customer, items } = body;
  if (
    typeof customer !== 'string' ||
    customer.length < 1 ||
    customer.length > 64 ||
    !/\S/.test(customer)
  ) {
    errors.push('customer must be a non-blank string of 1 to 64 characters');
  }
  if (!Array.isArray(items) || items.length < 1 || items.length > 10) {
    errors.push('items must be an array of 1 to 10 line items');
    return { errors };
  }
  const clean = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (
      item === null ||
      typeof item !== 'object' ||
      !DRINKS.has(item.drink) ||
      !SIZES.has(item.size) ||
      !Number.isInteger(item.quantity) ||
      item.quantity < 1 ||
      item.quantity > 10
    ) {
      errors.push(`items.${i} must be {drink, size, quantity} from the menu`);
    } else {
      clean[i] = { drink: item.drink, size: item.size, quantity: item.quantity };
    }
  }
  return errors.length > 0 ? { errors } : { customer, items: clean };
}

function advance(order, status, at) {
  order.status = status;
  order.history.push({ status, at });
}

function orderPlaced(order) {
  const placedAt = order.history[0].at;
  return {
    messageId: randomUUID(),
    type: 'order.placed',
    occurredAt: placedAt,
    correlationId: order.correlationId,
    data: { orderId: order.id, customer: order.customer, items: order.items, placedAt },
  };
}

// ---------------------------------------------------------------- http: the sync chain

let barista;
let pager;

function hopFailed(res, order, hop, err) {
  order.status = 'failed';
  order.history.push({
    status: 'failed',
    at: new Date().toISOString(),
    reason: `${hop}: ${err.message}`,
  });
  const timeout = err.kind === 'timeout';
  c.httpError(
    res,
    timeout ? 504 : 503,
    timeout ? 'Gateway Timeout' : 'Service Unavailable',
    err.message,
    { hop, orderId: order.id },
  );
}

/** What CoffeeBrewed tells the counter: brewing began at startedAt, ready at brewedAt. */
function markReady(order, brewed) {
  const { startedAt, brewedAt } = brewed.data;
  if (order.status === 'placed') advance(order, 'brewing', startedAt);
  advance(order, 'ready', brewedAt);
}

async function placeSync(order, res) {
  const placed = orderPlaced(order);
  const trace = { [c.CORRELATION]: order.correlationId };
  let brewed;
  try {
    brewed = await barista.post('/brews', JSON.stringify(placed), {
      ...trace,
      [c.MESSAGE_ID]: placed.messageId,
    });
  } catch (err) {
    return hopFailed(res, order, 'barista', err);
  }
  const event = brewed.body;
  if (!event || !event.data || event.data.orderId !== order.id) {
    return hopFailed(res, order, 'barista', { message: 'barista answered with another order' });
  }
  markReady(order, event);
  try {
    // The CoffeeBrewed envelope as barista wrote it.
    await pager.post('/buzzes', brewed.text, { ...trace, [c.MESSAGE_ID]: event.messageId });
  } catch (err) {
    return hopFailed(res, order, 'pager', err);
  }
  c.sendJson(res, 201, order, trace);
}

// ---------------------------------------------------------------- rmq: publish and consume

let publisher;

function placeAsync(order, res) {
  const placed = orderPlaced(order);
  const answer = JSON.stringify(order); // as placed, whatever the consumer does meanwhile
  let settled = false;
  const timer = setTimeout(() => {
    settled = true;
    c.httpError(res, 504, 'Gateway Timeout', `the broker did not confirm order.placed in time`, {
      hop: 'broker',
      orderId: order.id,
    });
  }, config.publishTimeoutMs);
  c.publishEvent(publisher, placed, (err) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (err) {
      c.httpError(res, 503, 'Service Unavailable', `the broker did not confirm order.placed`, {
        hop: 'broker',
        orderId: order.id,
      });
      return;
    }
    res.writeHead(202, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(answer),
      [c.CORRELATION]: order.correlationId,
    });
    res.end(answer);
  });
}

function onEvent(event) {
  const order = orders.get(event.data.orderId);
  if (!order || order.status === 'ready' || order.status === 'failed') return; // not ours, or a repeat
  if (event.type === 'brew.started') {
    if (order.status === 'placed') advance(order, 'brewing', event.data.startedAt);
  } else if (event.type === 'coffee.brewed') {
    markReady(order, event);
  }
}

async function startRmq() {
  // One connection to consume and one to publish, as RabbitMQ advises: when the broker throttles
  // a publishing connection (credit flow) it stops reading its socket, acks included, and a
  // consumer sharing it starves (measured here: the order queue backed up at 1,000 orders/s).
  const [consuming, publishing] = await Promise.all([c.connectBroker(log), c.connectBroker(log)]);
  const consumer = await consuming.createChannel();
  publisher = await publishing.createConfirmChannel();
  const queue = await c.assertTopology(consumer, 'order', ['brew.started', 'coffee.brewed']);
  await consumer.prefetch(prefetch);
  const { consumerTag } = await consumer.consume(
    queue,
    (message) => {
      if (message === null) return log.warn(`the broker cancelled the consumer on ${queue}`);
      const event = c.decodeEvent(message);
      if (!event) {
        log.warn(`dead-lettering a malformed message from ${queue}`);
        return consumer.nack(message, false, false);
      }
      onEvent(event);
      consumer.ack(message);
    },
    { noAck: false },
  );
  return () =>
    c.closeConsumer({
      consumer,
      consumerTag,
      channels: [publisher],
      connections: [consuming, publishing],
    });
}

// ---------------------------------------------------------------- REST

const place = config.transport === 'rmq' ? placeAsync : placeSync;

const server = c.createServer((req, res, path) => {
  if (path === '/orders' && req.method === 'POST') {
    const given = req.headers[c.CORRELATION];
    return c.readJson(req, res, (body) => {
      const request = validate(body);
      if (request.errors) return c.httpError(res, 400, 'Bad Request', request.errors);
      const order = {
        id: randomUUID(),
        customer: request.customer.trim(),
        items: request.items,
        status: 'placed',
        history: [{ status: 'placed', at: new Date().toISOString() }],
        correlationId: typeof given === 'string' && c.SANE_ID.test(given) ? given : randomUUID(),
      };
      orders.set(order.id, order);
      place(order, res);
    });
  }
  if (req.method === 'GET') {
    if (path === '/health') return c.health(res, 'order');
    if (path === '/orders') {
      const all = Array.from(orders.values());
      return c.sendJson(res, 200, { orders: all.slice(-100), total: all.length });
    }
    if (path.startsWith('/orders/')) {
      const id = path.slice('/orders/'.length);
      const order = orders.get(id);
      if (order) return c.sendJson(res, 200, order);
      return c.httpError(res, 404, 'Not Found', `Order ${id} not found`);
    }
  }
  c.notFound(req, res, path);
});

async function main() {
  let closeBroker = async () => {};
  if (config.transport === 'rmq') {
    closeBroker = await startRmq();
  } else {
    barista = c.upstream(
      'barista',
      config.urls('BARISTA_URL', 'http://127.0.0.1:3001'),
      config.int('BARISTA_TIMEOUT_MS', 10000, 10, 600000),
    );
    pager = c.upstream(
      'pager',
      config.urls('PAGER_URL', 'http://127.0.0.1:3002'),
      config.int('PAGER_TIMEOUT_MS', 2000, 10, 600000),
    );
    closeBroker = async () => {
      barista.destroy();
      pager.destroy();
    };
  }
  c.onShutdown(log, async () => {
    await Promise.all([c.closeServer(server), closeBroker()]);
  });
  await c.listen(server, port, config.host);
  log.log(`listening on http://${config.host}:${port} (transport ${config.transport})`);
}

main().catch((err) => c.fail(`order failed to start: ${err.message}`));
