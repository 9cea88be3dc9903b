// The live board in a real browser: Debian's Chromium, driven by playwright-core, against the
// three apps on real ports. The page is served by order; pager's buzz stream comes from pager's
// own port (another origin), as when the apps run directly.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { anOrder, post } from './support/client';
import { Shop } from './support/shop';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Generous: two cores shared with other test runs. The hooks and tests get more than a wait, so
// that a wait that runs out reports what it waited for, not the hook's timeout.
const WAIT_MS = 30_000;
const HOOK_MS = 120_000;

describe.each(['http', 'rmq'] as const)('the live board over %s', (transport) => {
  let shop: Shop;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the live board's test needs Debian's chromium package ` +
          "(npm test's pretest installs it as root; else: sudo apt-get install -y chromium)",
      );
    }
    shop = await Shop.start({ transport, brewMs: 200, machines: 2 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${shop.orderUrl}/board`);
    // Both streams open before anything is ordered: a buzz sent earlier would not be seen.
    await page.locator('#orders-link[data-state="open"]').waitFor();
    await page.locator('#pager-link[data-state="open"]').waitFor();
  }, HOOK_MS);

  // The shop closes while the page still follows both streams: an app that did not end its open
  // streams before its HTTP server closed would hang here.
  afterAll(async () => {
    try {
      await shop?.close();
    } finally {
      await browser?.close();
    }
  }, HOOK_MS);

  const card = (status: string, customer: string, extra = '') =>
    page.locator(`.column[data-status="${status}"] .card${extra}`, { hasText: customer });

  it('shows the transport', async () => {
    await page.locator(`#transport[data-transport="${transport}"]`).waitFor();
    expect(await page.locator('#transport-name').textContent()).toBe(transport);
  });

  it('places an order through its form, shows it ready and the pager buzzing for it', async () => {
    const customer = `Ada-${transport}-${Date.now()}`;
    await page.fill('input[name="customer"]', customer);
    await page.selectOption('select[name="drink"]', 'flat-white');
    await page.selectOption('select[name="size"]', 'large');
    await page.fill('input[name="quantity"]', '2');
    await page.click('#order-form button[type="submit"]');

    const ready = card('ready', customer, '[data-buzzed="true"]');
    await ready.waitFor();
    expect(await ready.locator('.items').textContent()).toBe('2 × large flat-white');
    await page.locator('#buzzes li', { hasText: customer }).waitFor();
    // The buzz names the order that the card shows.
    const orderId = await ready.getAttribute('data-order-id');
    await page.locator(`#buzzes li[data-order-id="${orderId}"]`).waitFor();
  });

  it('moves an order placed elsewhere across the board as it happens', async () => {
    const customer = `Grace-${transport}-${Date.now()}`;
    // Not through the page: the board hears of it through /orders/stream only.
    const placed = await post<{ id: string }>(`${shop.orderUrl}/orders`, anOrder(customer));
    expect([201, 202]).toContain(placed.status);

    const ready = card('ready', customer, `[data-order-id="${placed.body.id}"]`);
    await ready.waitFor();
    await card('ready', customer, '[data-buzzed="true"]').waitFor();
    expect(await card('placed', customer).count()).toBe(0);
  });

  it("shows a refused order's field errors, and places nothing", async () => {
    const before = await page.locator('.card').count();
    await page.fill('input[name="customer"]', '   ');
    await page.fill('input[name="quantity"]', '0');
    await page.click('#order-form button[type="submit"]');

    await page.locator('.field-error[data-field="customer"]', { hasText: 'customer' }).waitFor();
    await page.locator('.field-error[data-field="quantity"]', { hasText: 'quantity' }).waitFor();
    expect(await page.getAttribute('input[name="customer"]', 'aria-invalid')).toBe('true');
    expect(await page.locator('#form-status').textContent()).toBe('Please correct the order.');
    expect(await page.locator('.card').count()).toBe(before);
  });
});
