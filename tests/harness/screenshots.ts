// Regenerates the plugin's catalogue screenshots (plugin.json info.screenshots, shown in the README) from the built
// plugin in the harness, against the real event-bus service and Redis holding a realistic DLQ: `npm run screenshots`.
// Each PNG is palette-quantised with sharp (libimagequant); the sizes before and after are printed.
import fs from 'node:fs';
import path from 'node:path';

import { chromium, Page } from 'playwright-core';
import sharp from 'sharp';

import pluginJson from '../../plugin.json';
import { testIds } from '../../src/components/testIds';
import { startHarness } from './server';
import { startEventBusStack } from './services';

const OUT = path.resolve(__dirname, '..', '..', 'src', 'img', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };
const APP = `/a/${pluginJson.id}`;
/** The event-bus URL docker-compose.yaml gives Grafana. */
const COMPOSE_EVENT_BUS = 'http://event-bus:8080';

/** The screenshots plugin.json lists, by file name: what each shows. */
const EXPECTED = new Map(pluginJson.info.screenshots.map((shot) => [path.basename(shot.path), shot.name]));

async function main() {
  const stack = await startEventBusStack();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await seedRealisticDlq(stack.seed);
    // The settings name the event bus as the compose stack does; the proxy stand-in sends that to the local one.
    const harness = await startHarness(
      { jsonData: { eventBusUrl: COMPOSE_EVENT_BUS }, secureJsonData: { eventBusToken: stack.token } },
      { hostAliases: { [new URL(COMPOSE_EVENT_BUS).host]: new URL(stack.serviceUrl).host } }
    );
    fs.mkdirSync(OUT, { recursive: true });
    const written: string[] = [];

    const open = async (pathAndQuery: string, role: string, split?: number, viewport = VIEWPORT) => {
      const page = await browser.newPage({ viewport });
      await page.addInitScript(
        ([chosen, size, splitKey]) => {
          localStorage.setItem('harness.role', chosen);
          if (size) {
            localStorage.setItem(splitKey, size);
          }
        },
        [role, split ? String(split) : '', `${pluginJson.id}.beside.split`]
      );
      await page.goto(`${harness.url}${pathAndQuery}`);
      await page.waitForFunction(() => document.body.dataset.harnessReady);
      return page;
    };
    const save = async (page: Page, file: string) => {
      await page.waitForLoadState('networkidle');
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      written.push(await optimise(await page.screenshot(), file));
      await page.close();
    };

    const alertQuery =
      'alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders&severity=warning&from=now-1h&to=now';
    let page = await open(`${APP}/runbooks/dlq-management?${alertQuery}`, 'Editor');
    await page.getByTestId(testIds.runbook.alertContext).waitFor();
    await page.getByTestId(testIds.runbook.liveBlock).first().getByText('in the DLQ from').waitFor();
    await save(page, 'runbook-from-alert.png');

    page = await open(`${APP}/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&${alertQuery}`, 'Editor', 0.5);
    await page.getByTestId(testIds.beside.dashboard).getByTestId(testIds.dlqPanel.health).waitFor();
    await save(page, 'runbook-beside-dashboard.png');

    // The Failures view after one more failure arrived: the new class is marked.
    page = await open('/panel/dlq-health?dashboard=opsdesk-event-bus&width=1400&height=820', 'Admin');
    let panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByTestId(testIds.dlqPanel.failures).getByRole('row').nth(1).waitFor();
    await seed(
      stack.seed,
      '{events}:payments',
      2,
      'payment.captured',
      'ConnectionError: connect ECONNREFUSED 10.4.2.17:5432'
    );
    await panel.getByRole('button', { name: 'Read the DLQ again' }).click();
    await panel.getByTestId(testIds.dlqPanel.failures).getByText('New', { exact: true }).waitFor();
    await save(page, 'dlq-panel-failures.png');

    page = await open('/panel/dlq-health?dashboard=opsdesk-event-bus&width=1400&height=820', 'Editor');
    panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByRole('radio', { name: 'Entries' }).check({ force: true });
    const boxes = panel.getByRole('checkbox', { name: /^Select entry / });
    await boxes.first().waitFor();
    for (let i = 0; i < 3; i++) {
      await boxes.nth(i).check({ force: true });
    }
    await panel.getByRole('button', { name: 'Retry selected (3)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry 3' }).waitFor();
    await save(page, 'dlq-panel-retry-confirm.png');

    // The form is narrow: a smaller window, not a mostly empty one.
    page = await open(`/plugins/${pluginJson.id}`, 'Admin', undefined, { width: 1024, height: 540 });
    await page.getByRole('button', { name: 'Save & test' }).click();
    await page
      .getByTestId(testIds.appConfig.testResult)
      .getByText(/The event bus is reachable/)
      .waitFor();
    await save(page, 'config.png');

    await harness.close();
    const missing = [...EXPECTED.keys()].filter((file) => !written.includes(file));
    const unlisted = written.filter((file) => !EXPECTED.has(file));
    if (missing.length || unlisted.length) {
      throw new Error(
        `plugin.json info.screenshots and this script disagree: missing ${missing}, unlisted ${unlisted}`
      );
    }
  } finally {
    await browser.close();
    await stack.stop();
  }
}

type Seed = Awaited<ReturnType<typeof startEventBusStack>>['seed'];

/** Dead-letters `count` realistic payloads of one origin stream, type and reason. */
async function seed(to: Seed, stream: string, count: number, type: string, reason: string) {
  const name = stream.split(':')[1];
  const payloads = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      [`${name.replace(/s$/, '')}Id`]: `${name.slice(0, 3).toUpperCase()}-${20261126 + i * 37}`,
      amount: -1,
    })
  );
  await to(stream, payloads, { type, reason, attempts: 5 });
}

/** What the demo workload's failures look like after a bad deploy: three streams, several failures in each. */
async function seedRealisticDlq(to: Seed) {
  await seed(to, '{events}:orders', 14, 'order.created', 'ValidationError: amount must be positive');
  await seed(to, '{events}:orders', 9, 'order.created', 'TimeoutError: inventory did not answer within 3000 ms');
  await seed(to, '{events}:payments', 6, 'payment.captured', 'TimeoutError: ledger did not answer within 5000 ms');
  await seed(
    to,
    '{events}:orders',
    3,
    'order.updated',
    "TypeError: Cannot read properties of undefined (reading 'sku')"
  );
  await seed(to, '{events}:notifications', 3, 'notification.requested', 'SmtpError: 451 4.7.1 try again later');
  await seed(to, '{events}:orders', 4, 'order.created', 'TimeoutError: inventory did not answer within 5000 ms');
}

/** Writes `png` palette-quantised under src/img/screenshots/, printing the size it had and has. */
async function optimise(png: Buffer, file: string): Promise<string> {
  const target = path.join(OUT, file);
  const result = await sharp(png).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toBuffer();
  fs.writeFileSync(target, result);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(`${path.relative(process.cwd(), target)}: ${kib(png.length)} -> ${kib(result.length)}`);
  return file;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
