import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TracedShop } from '../../test/support/traced-shop';
import { waterfallPage } from './page';
import { layoutWaterfall } from './waterfall';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(__dirname, '..', '..', 'docs', 'images');
const TRANSPORTS = ['http', 'rmq'] as const;

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * One order's trace under `transport`, as an HTML waterfall: the three apps as processes with
 * tracing on, exporting to the in-process OTLP receiver; a few orders first (warm-up: the first
 * orders of a process pay for its cold start), then the one that is drawn, alone.
 */
async function traceHtml(transport: (typeof TRANSPORTS)[number]): Promise<string> {
  const shop = await TracedShop.start(transport, { brewMs: 50 });
  try {
    await shop.placeOrders(3);
    const [{ orderId, trace }] = await shop.placeOrders(1);
    const waterfall = layoutWaterfall(trace.spans);
    const title = `One order under TRANSPORT=${transport}: ${waterfall.rows.length} spans across ${waterfall.services.join(', ')}`;
    const note =
      `Order ${orderId}, ${new Date().toISOString().slice(0, 10)}. Rendered by tools/trace ` +
      '(npm run trace:render), the shop’s own waterfall of the spans the three apps exported ' +
      'over OTLP; not Jaeger. Dashed line: a span link (send → the create that stored the event).';
    return waterfallPage(waterfall, title, note);
  } finally {
    await shop.close();
  }
}

/** `npm run trace:render [http|rmq]`: docs/images/trace-<transport>.png for each transport. */
async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const transports = TRANSPORTS.filter((t) => asked.length === 0 || asked.includes(t));
  if (transports.length === 0) throw new Error(`usage: npm run trace:render [http] [rmq]`);
  mkdirSync(OUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    for (const transport of transports) {
      write(`${transport}: starting order, barista and pager with tracing on ...`);
      const html = await traceHtml(transport);
      const htmlPath = join(tmpdir(), `trace-${transport}.html`);
      writeFileSync(htmlPath, html);
      const page = await browser.newPage({ viewport: { width: 1400, height: 400 } });
      await page.setContent(html);
      const png = join(OUT_DIR, `trace-${transport}.png`);
      await page.screenshot({ path: png, fullPage: true });
      await page.close();
      write(`${transport}: wrote ${png} (and ${htmlPath})`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
