'use strict';
// Bare barista: brews with BREW_MS per order on ESPRESSO_MACHINES machines (the rest wait FIFO),
// and logs each brew (its CoffeeBrewed) in barista's SQLite file before telling anyone; an order
// found in the log is not brewed again, its logged CoffeeBrewed is sent again instead.
// http: POST /brews answers the CoffeeBrewed envelope once brewed and logged.
// rmq: consumes order.placed from <ns>.barista, publishes brew.started and coffee.brewed on a
// confirm channel, and acks the order only once coffee.brewed is confirmed.

const { randomUUID } = require('node:crypto');
const c = require('./common');

const { config } = c;
const log = c.logger('barista');
const port = config.int('BARISTA_PORT', 3001, 1, 65535);
const brewMs = config.int('BREW_MS', 1000, 0, 600000);
const machines = config.int('ESPRESSO_MACHINES', 2, 1, 1000);
// As the app: twice the machines, so a machine's next order is at hand when it frees up.
const prefetch = config.int('BARISTA_PREFETCH', 2 * machines, 1, 10000);
const baristaId = config.str('BARISTA_ID', `${config.hostname}-${process.pid}`);

// ---------------------------------------------------------------- the brew log (as the NestJS app's)

const SCHEMA = `
CREATE TABLE IF NOT EXISTS brews (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL
);`;

// Named after BARISTA_ID or the host, never the pid: a restarted barista finds its log again.
const logName = config.str('BARISTA_ID', config.hostname).replace(/[^\w.-]+/g, '-');
const store = c.openDatabase(
  'BARISTA_DB_PATH',
  `data/baseline-barista-${logName}.sqlite`,
  SCHEMA,
  log,
);
const findBrew = store.db.prepare('SELECT event FROM brews WHERE order_id = ?').pluck();
const insertBrew = store.db.prepare('INSERT OR IGNORE INTO brews (order_id, event) VALUES (?, ?)');

/**
 * Logs `brewed` with the id of the order.placed it handled, in one transaction, and returns the
 * brew of record: `brewed`, or the one logged first if the order was brewed already (another
 * barista sharing the file, or a repeat brewed meanwhile).
 */
const logBrew = c.transaction(store.db, (brewed, placedMessageId) => {
  store.recordHandled(placedMessageId);
  if (insertBrew.run(brewed.data.orderId, JSON.stringify(brewed)).changes === 1) return brewed;
  return JSON.parse(findBrew.get(brewed.data.orderId));
});

// ---------------------------------------------------------------- the espresso machines

const freeMachines = [];
for (let m = machines; m >= 1; m--) freeMachines.push(m);
const waiting = []; // FIFO of callbacks waiting for a machine; `head` is the next one
let head = 0;

function acquire(onMachine) {
  if (freeMachines.length > 0) onMachine(freeMachines.pop());
  else waiting.push(onMachine);
}

function release(machine) {
  if (head === waiting.length) {
    freeMachines.push(machine);
    return;
  }
  const next = waiting[head];
  waiting[head++] = undefined;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  } else if (head > 4096 && head * 2 > waiting.length) {
    waiting.splice(0, head);
    head = 0;
  }
  next(machine);
}

/** Brews one order: `onStarted(event)` when a machine takes it, `onBrewed(event)` when done. */
function brew(placed, onStarted, onBrewed) {
  acquire((machine) => {
    const startedAt = new Date().toISOString();
    const { orderId, customer } = placed.data;
    const trace = { correlationId: placed.correlationId, causationId: placed.messageId };
    if (onStarted) {
      onStarted({
        messageId: randomUUID(),
        type: 'brew.started',
        occurredAt: startedAt,
        ...trace,
        data: { orderId, baristaId, machine, startedAt },
      });
    }
    const finish = () => {
      const brewedAt = new Date().toISOString();
      release(machine);
      onBrewed({
        messageId: randomUUID(),
        type: 'coffee.brewed',
        occurredAt: brewedAt,
        ...trace,
        data: { orderId, baristaId, machine, startedAt, customer, brewedAt },
      });
    };
    if (brewMs > 0) setTimeout(finish, brewMs);
    else finish();
  });
}

/**
 * The order's brew of record, as `done(err, brewed, again)`: the logged one (`again`: it is to be
 * sent again) if the order was brewed before, else a new brew, logged before `done` is told.
 */
function brewOnce(placed, onStarted, done) {
  let logged;
  try {
    logged = findBrew.get(placed.data.orderId);
  } catch (err) {
    return done(err);
  }
  if (logged !== undefined) return done(null, JSON.parse(logged), true);
  brew(placed, onStarted, (brewed) => {
    let kept;
    try {
      kept = logBrew(brewed, placed.messageId);
    } catch (err) {
      return done(err);
    }
    done(null, kept, false);
  });
}

function isOrderPlaced(event) {
  return c.isEventOf(event, 'order.placed');
}

// ---------------------------------------------------------------- adapters

const server = c.createServer((req, res, path) => {
  if (path === '/health' && req.method === 'GET') return c.health(res, 'barista');
  if (path === '/brews' && req.method === 'POST' && config.transport === 'http') {
    return c.readJson(req, res, (placed) => {
      if (!isOrderPlaced(placed)) {
        return c.httpError(res, 400, 'Bad Request', 'body is not an order.placed envelope');
      }
      brewOnce(placed, null, (err, brewed) => {
        if (err) {
          log.error(`the brew log failed: ${err.message}`);
          return c.httpError(res, 500, 'Internal Server Error', 'Internal server error');
        }
        c.sendJson(res, 200, brewed, { [c.CORRELATION]: brewed.correlationId });
      });
    });
  }
  c.notFound(req, res, path);
});

/** Acks and nacks on a channel that has closed throw; the broker redelivers those anyway. */
function settle(action) {
  try {
    action();
  } catch (closed) {
    log.warn(`cannot settle a message: ${closed.message}`);
  }
}

async function startRmq() {
  // One connection to consume and one to publish, as RabbitMQ advises: when the broker throttles
  // a publishing connection (credit flow) it stops reading its socket, acks included, and a
  // consumer sharing it starves (measured here: the order queue backed up at 1,000 orders/s).
  const [consuming, publishing] = await Promise.all([c.connectBroker(log), c.connectBroker(log)]);
  const consumer = await consuming.createChannel();
  const publisher = await publishing.createConfirmChannel();
  const queue = await c.assertTopology(consumer, 'barista', ['order.placed']);
  await consumer.prefetch(prefetch);
  const consumerTag = await c.consumeEvents(
    consumer,
    queue,
    log,
    isOrderPlaced,
    (placed, message) => {
      brewOnce(
        placed,
        (started) =>
          c.publishEvent(publisher, started, (err) => {
            if (err) log.warn(`brew.started for ${placed.data.orderId} not confirmed: ${err}`);
          }),
        (failed, brewed) => {
          if (failed) {
            log.warn(`dead-lettering order.placed ${placed.messageId}: ${failed.message}`);
            return settle(() => consumer.nack(message, false, false));
          }
          // Sent again as logged for a repeat: a crash may have come before its confirm.
          c.publishEvent(publisher, brewed, (err) =>
            settle(() => (err ? consumer.nack(message, false, true) : consumer.ack(message))),
          );
        },
      );
    },
  );
  return () =>
    c.closeConsumer({
      consumer,
      consumerTag,
      channels: [publisher],
      connections: [consuming, publishing],
    });
}

async function main() {
  const closeBroker = config.transport === 'rmq' ? await startRmq() : async () => {};
  c.onShutdown(log, async () => {
    await Promise.all([c.closeServer(server), closeBroker()]);
    await store.close();
  });
  await c.listen(server, port, config.host);
  log.log(
    `listening on http://${config.host}:${port} (transport ${config.transport}, ${machines} machines, brew ${brewMs} ms, id ${baristaId})`,
  );
}

main().catch((err) => c.fail(`barista failed to start: ${err.message}`));
