'use strict';
// Bare order counter: POST /orders stores the order in order's SQLite file, then
// http: calls barista (POST /brews) and waits for the coffee, calls pager (POST /buzzes), 201;
// rmq: stores order.placed with the order in one transaction (the outbox) and answers 202 once
//      committed; a relay publishes the outbox on a confirm channel and deletes what the broker
//      confirmed; consumes brew.started and coffee.brewed from <ns>.order to move the order along.

const { randomUUID } = require('node:crypto');
const c = require('./common');

const { config } = c;
const log = c.logger('order');
const port = config.int('ORDER_PORT', 3000, 1, 65535);
const prefetch = config.int('ORDER_PREFETCH', 100, 1, 10000);
const rmq = config.transport === 'rmq';

const DRINKS = new Set(['espresso', 'americano', 'latte', 'cappuccino', 'flat-white', 'mocha']);
const SIZES = new Set(['small', 'medium', 'large']);

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

function advance(order, status, at, reason) {
  order.status = status;
  order.history.push(reason === undefined ? { status, at } : { status, at, reason });
}

// Each returns whether it changed the order; a finished order does not change any more.

function startBrewing(order, startedAt) {
  if (order.status !== 'placed') return false;
  advance(order, 'brewing', startedAt);
  return true;
}

/** What CoffeeBrewed tells the counter: brewing began at startedAt, ready at brewedAt. */
function markReady(order, { startedAt, brewedAt }) {
  if (order.status === 'ready' || order.status === 'failed') return false;
  if (order.status === 'placed') advance(order, 'brewing', startedAt);
  advance(order, 'ready', brewedAt);
  return true;
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

// ---------------------------------------------------------------- storage (as the NestJS app's)

const ORDERS = `
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  customer TEXT NOT NULL,
  items TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  status TEXT NOT NULL,
  history TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, seq);`;

const OUTBOX = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  type TEXT NOT NULL,
  event TEXT NOT NULL,
  stored_at INTEGER NOT NULL
);`;

const store = c.openDatabase(
  'ORDER_DB_PATH',
  'data/baseline-order.sqlite',
  rmq ? ORDERS + OUTBOX : ORDERS,
  log,
);
const { db } = store;
const COLUMNS = 'id, customer, items, status, history, correlation_id AS correlationId';
const insertOrder = db.prepare(
  'INSERT INTO orders (id, customer, items, correlation_id, status, history) VALUES (?, ?, ?, ?, ?, ?)',
);
const updateOrder = db.prepare('UPDATE orders SET status = ?, history = ? WHERE id = ?');
const selectOrder = db.prepare(`SELECT ${COLUMNS} FROM orders WHERE id = ?`);
const newestOrders = db.prepare(`SELECT ${COLUMNS} FROM orders ORDER BY seq DESC LIMIT 100`);
const countOrders = db.prepare('SELECT COUNT(*) FROM orders').pluck();

function readOrder(id) {
  const row = selectOrder.get(id);
  if (row === undefined) return undefined;
  row.items = JSON.parse(row.items);
  row.history = JSON.parse(row.history);
  return row;
}

/** Stores a new order, and under rmq its order.placed in the outbox, in one transaction. */
const storeOrder = c.transaction(db, (order, placed) => {
  insertOrder.run(
    order.id,
    order.customer,
    JSON.stringify(order.items),
    order.correlationId,
    order.status,
    JSON.stringify(order.history),
  );
  if (placed) outbox.insert.run(placed.messageId, placed.type, JSON.stringify(placed), Date.now());
});

/**
 * Moves a stored order along with `change(order)` and records `messageId` (if any) as handled,
 * in one transaction. Returns the order as stored then, or undefined if nothing changed: the
 * message was handled before, the order is not ours, or it is already past that point.
 */
const changeOrder = c.transaction(db, (orderId, messageId, change) => {
  if (messageId !== undefined && store.handled(messageId)) return undefined;
  const order = readOrder(orderId);
  if (order === undefined || !change(order)) return undefined;
  updateOrder.run(order.status, JSON.stringify(order.history), orderId);
  if (messageId !== undefined) store.recordHandled(messageId);
  return order;
});

function storageFailed(res, err) {
  log.error(`storage failed: ${err.message}`);
  if (!res.headersSent) c.httpError(res, 500, 'Internal Server Error', 'Internal server error');
}

// ---------------------------------------------------------------- http: the sync chain

let barista;
let pager;

function hopFailed(res, order, hop, err) {
  const reason = `${hop}: ${err.message}`;
  changeOrder(order.id, undefined, (stored) => {
    advance(stored, 'failed', new Date().toISOString(), reason);
    return true;
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

async function placeSync(order, res) {
  storeOrder(order);
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
  const ready =
    changeOrder(order.id, event.messageId, (stored) => markReady(stored, event.data)) ??
    readOrder(order.id);
  try {
    // The CoffeeBrewed envelope as barista wrote it.
    await pager.post('/buzzes', brewed.text, { ...trace, [c.MESSAGE_ID]: event.messageId });
  } catch (err) {
    return hopFailed(res, order, 'pager', err);
  }
  c.sendJson(res, 201, ready, trace);
}

// ---------------------------------------------------------------- rmq: the outbox and its relay

const outbox = rmq && {
  insert: db.prepare('INSERT INTO outbox (message_id, type, event, stored_at) VALUES (?, ?, ?, ?)'),
  pending: db.prepare('SELECT seq, event FROM outbox ORDER BY seq LIMIT 256'),
  count: db.prepare('SELECT COUNT(*) FROM outbox').pluck(),
  remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
};
/** The broker confirmed these rows' events: they leave the outbox, in one transaction. */
const markSent = c.transaction(db, (rows) => {
  for (const row of rows) outbox.remove.run(row.seq);
});

let publisher;
const RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
const relay = {
  busy: undefined,
  scheduled: false,
  retry: undefined,
  delay: RETRY_MS,
  stopped: false,
};

function placeAsync(order, res) {
  storeOrder(order, orderPlaced(order));
  poke();
  c.sendJson(res, 202, order, { [c.CORRELATION]: order.correlationId });
}

/**
 * Something was added to the outbox: publish it after this tick (the request answers first, and
 * the pokes of one tick share one pass). A pass in progress reads the outbox again before it
 * ends, and a pending retry takes it along.
 */
function poke() {
  if (relay.busy || relay.scheduled || relay.retry || relay.stopped) return;
  relay.scheduled = true;
  setImmediate(() => {
    relay.scheduled = false;
    if (!relay.busy && !relay.stopped) relay.busy = drain().finally(() => (relay.busy = undefined));
  });
}

/** Publishes the outbox, oldest first, 256 at a time, until it is empty or a publish fails. */
async function drain() {
  try {
    for (;;) {
      const rows = outbox.pending.all();
      if (rows.length === 0) break;
      const confirmed = await publishAll(rows.map((row) => JSON.parse(row.event)));
      const sent = rows.filter((_, i) => confirmed[i]);
      markSent(sent);
      if (sent.length < rows.length) {
        return retryLater(`${rows.length - sent.length} events not confirmed`);
      }
      if (relay.stopped) return;
    }
    relay.delay = RETRY_MS;
  } catch (err) {
    retryLater(`the outbox failed: ${err.message}`);
  }
}

/** Publishes `events` on the confirm channel; which ones the broker confirmed in time. */
function publishAll(events) {
  return new Promise((resolve) => {
    const confirmed = new Array(events.length).fill(false);
    let left = events.length;
    const timer = setTimeout(() => resolve(confirmed), config.publishTimeoutMs);
    events.forEach((event, i) =>
      c.publishEvent(publisher, event, (err) => {
        confirmed[i] = !err;
        if (--left === 0) {
          clearTimeout(timer);
          resolve(confirmed);
        }
      }),
    );
  });
}

/** What failed stays stored; try again after 250 ms, doubling up to 5 s. */
function retryLater(why) {
  if (relay.stopped) return;
  log.warn(`${why}: they stay stored, retrying in ${relay.delay} ms`);
  relay.retry = setTimeout(() => {
    relay.retry = undefined;
    poke();
  }, relay.delay);
  relay.delay = Math.min(relay.delay * 2, MAX_RETRY_MS);
}

function onEvent(event) {
  const { orderId } = event.data;
  if (event.type === 'brew.started') {
    changeOrder(orderId, event.messageId, (order) => startBrewing(order, event.data.startedAt));
  } else if (event.type === 'coffee.brewed') {
    changeOrder(orderId, event.messageId, (order) => markReady(order, event.data));
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
  // Whatever an earlier process left unpublished goes out first.
  const left = outbox.count.get();
  if (left > 0) log.log(`${left} stored events were not published yet: publishing`);
  poke();
  await consumer.prefetch(prefetch);
  const consumerTag = await c.consumeEvents(
    consumer,
    queue,
    log,
    () => true,
    c.ackAfter(consumer, log, onEvent),
  );
  return async () => {
    // Stop the relay; closing the publisher fails its unconfirmed publishes, which stay stored.
    relay.stopped = true;
    clearTimeout(relay.retry);
    await c.closeConsumer({
      consumer,
      consumerTag,
      channels: [publisher],
      connections: [consuming, publishing],
    });
    await relay.busy;
  };
}

// ---------------------------------------------------------------- REST

const place = rmq ? placeAsync : placeSync;

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
      try {
        Promise.resolve(place(order, res)).catch((err) => storageFailed(res, err));
      } catch (err) {
        storageFailed(res, err);
      }
    });
  }
  if (req.method === 'GET') {
    if (path === '/health') return c.health(res, 'order');
    if (path === '/orders') {
      const orders = newestOrders.all();
      for (const order of orders) {
        order.items = JSON.parse(order.items);
        order.history = JSON.parse(order.history);
      }
      return c.sendJson(res, 200, { orders, total: countOrders.get() });
    }
    if (path.startsWith('/orders/')) {
      const id = path.slice('/orders/'.length);
      const order = readOrder(id);
      if (order) return c.sendJson(res, 200, order);
      return c.httpError(res, 404, 'Not Found', `Order ${id} not found`);
    }
  }
  c.notFound(req, res, path);
});

async function main() {
  let closeBroker = async () => {};
  if (rmq) {
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
    await store.close();
  });
  await c.listen(server, port, config.host);
  log.log(`listening on http://${config.host}:${port} (transport ${config.transport})`);
}

main().catch((err) => c.fail(`order failed to start: ${err.message}`));
