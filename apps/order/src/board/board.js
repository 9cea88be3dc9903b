// The live board: follows order's /orders/stream and pager's /buzzes/stream (Server-Sent Events)
// and places orders with POST /orders. Plain browser JavaScript, served as is: no build step.
'use strict';

(function board() {
  const STATUSES = ['placed', 'brewing', 'ready', 'failed'];
  // How far along a status is; an order never moves back (changes can arrive out of order).
  // The same precedence as the Order's status: ready beats failed beats brewing beats placed.
  const RANK = { placed: 0, brewing: 1, failed: 2, ready: 3 };
  const TRANSPORT_NOTES = {
    http: 'sync: POST /orders waits for barista and pager',
    rmq: 'async: events through RabbitMQ',
  };
  // The board keeps the newest orders only, so that a long run does not fill the page.
  const MAX_ORDERS = 200;
  const MAX_BUZZES = 20;

  const orders = new Map();
  const buzzed = new Set();
  const $ = (selector) => document.querySelector(selector);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function describeItems(items) {
    return items.map((item) => `${item.quantity} × ${item.size} ${item.drink}`).join(', ');
  }

  /** Takes in one order's news; returns whether the board changed. */
  function apply(update) {
    const known = orders.get(update.id);
    if (known && RANK[update.status] < RANK[known.status]) return false;
    if (known && known.status === update.status && known.at === update.at) return false;
    orders.delete(update.id);
    orders.set(update.id, {
      id: update.id,
      customer: update.customer,
      items: update.items,
      status: update.status,
      at: update.at,
      reason: update.reason,
    });
    while (orders.size > MAX_ORDERS) orders.delete(orders.keys().next().value);
    return true;
  }

  /** An OrderView (GET /orders, POST /orders) as the news of its current status. */
  function fromView(view) {
    const change = [...view.history].reverse().find((c) => c.status === view.status);
    return { ...view, at: change ? change.at : '', reason: change ? change.reason : undefined };
  }

  function card(order) {
    const li = element('li', 'card');
    li.dataset.orderId = order.id;
    li.dataset.status = order.status;
    li.dataset.buzzed = String(buzzed.has(order.id));
    const head = element('div');
    head.append(element('span', 'customer', order.customer), element('span', 'buzz', '📳 buzzed'));
    li.append(head, element('div', 'items', describeItems(order.items)));
    li.append(element('div', 'at', `${order.status} ${new Date(order.at).toLocaleTimeString()}`));
    if (order.reason) li.append(element('div', 'reason', order.reason));
    return li;
  }

  let renderQueued = false;
  /** Draws the columns again, at most once a frame however many events came in. */
  function render() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      const newestFirst = [...orders.values()].reverse();
      for (const status of STATUSES) {
        const column = $(`.column[data-status="${status}"]`);
        const cards = newestFirst.filter((order) => order.status === status).map(card);
        column.querySelector('.cards').replaceChildren(...cards);
        column.querySelector('.count').textContent = String(cards.length);
      }
    });
  }

  function showLink(id, state) {
    const node = $(id);
    node.dataset.state = state;
    node.textContent = state;
  }

  /** Current orders, so that the board is never stale after a (re)connect. */
  async function loadOrders() {
    const response = await fetch('/orders?limit=100');
    if (!response.ok) return;
    const body = await response.json();
    // Oldest first, so that the newest end up newest on the board.
    for (const view of body.orders.reverse()) apply(fromView(view));
    render();
  }

  function followOrders() {
    const source = new EventSource('/orders/stream');
    source.onopen = () => {
      showLink('#orders-link', 'open');
      loadOrders().catch(() => undefined);
    };
    source.onerror = () => showLink('#orders-link', 'reconnecting');
    source.onmessage = (message) => {
      if (apply(JSON.parse(message.data))) render();
    };
  }

  function followPager(url) {
    // EventSource reconnects by itself after a dropped connection.
    const source = new EventSource(url);
    source.onopen = () => showLink('#pager-link', 'open');
    source.onerror = () => showLink('#pager-link', 'reconnecting');
    source.onmessage = (message) => {
      const buzz = JSON.parse(message.data);
      buzzed.add(buzz.orderId);
      const li = element('li', '', `📳 ${buzz.customer}`);
      li.dataset.orderId = buzz.orderId;
      const list = $('#buzzes');
      list.prepend(li);
      while (list.children.length > MAX_BUZZES) list.lastElementChild.remove();
      render();
    };
  }

  function fillSelect(select, values) {
    select.replaceChildren(
      ...values.map((value) => {
        const option = element('option', '', value);
        option.value = value;
        return option;
      }),
    );
  }

  // A 400 names fields as the request has them: `items.0.drink` is the form's `drink`.
  function formField(path) {
    const match = /^items\.\d+\.(\w+)/.exec(path);
    if (match) return match[1];
    return path === 'items' ? 'drink' : path;
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll('.field-error')) node.textContent = '';
    for (const node of form.querySelectorAll('[aria-invalid]'))
      node.removeAttribute('aria-invalid');
  }

  function showFieldErrors(form, body) {
    const lines = Array.isArray(body.message) ? body.message : [String(body.message)];
    const fields = Array.isArray(body.fields) ? body.fields : [];
    for (const path of fields) {
      const name = formField(path);
      const slot = form.querySelector(`.field-error[data-field="${name}"]`);
      const input = form.elements.namedItem(name);
      const own = lines.filter((line) => line.startsWith(path));
      if (slot) slot.textContent = (own.length > 0 ? own : [`${path} is invalid`]).join('; ');
      if (input) input.setAttribute('aria-invalid', 'true');
    }
  }

  function showStatus(text, kind) {
    const node = $('#form-status');
    node.textContent = text;
    node.dataset.kind = kind;
  }

  async function placeOrder(form) {
    clearErrors(form);
    const data = new FormData(form);
    const request = {
      customer: String(data.get('customer')),
      items: [
        {
          drink: String(data.get('drink')),
          size: String(data.get('size')),
          quantity: Number(data.get('quantity')),
        },
      ],
    };
    showStatus('Ordering…', 'pending');
    let response;
    let body;
    try {
      response = await fetch('/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      body = await response.json().catch(() => ({}));
    } catch (error) {
      showStatus(`Could not reach the counter: ${error.message}`, 'error');
      return;
    }
    if (response.status === 400) {
      showFieldErrors(form, body);
      showStatus('Please correct the order.', 'error');
    } else if (response.ok) {
      if (apply(fromView(body))) render();
      showStatus(`Order for ${body.customer}: ${response.status} ${body.status}`, 'ok');
    } else {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      showStatus(`${response.status}: ${message || response.statusText}`, 'error');
    }
  }

  async function start() {
    const config = await (await fetch('/board/config')).json();
    const transport = $('#transport');
    transport.dataset.transport = config.transport;
    $('#transport-name').textContent = config.transport;
    $('#transport-note').textContent = TRANSPORT_NOTES[config.transport] || '';

    const form = $('#order-form');
    fillSelect(form.elements.namedItem('drink'), config.menu.drinks);
    fillSelect(form.elements.namedItem('size'), config.menu.sizes);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      placeOrder(form).catch((error) => showStatus(String(error), 'error'));
    });

    followOrders();
    followPager(config.pagerStreamUrl);
    document.body.dataset.ready = 'true';
  }

  start().catch((error) => showStatus(`The board could not start: ${error.message}`, 'error'));
})();
