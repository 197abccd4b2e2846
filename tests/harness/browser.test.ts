// Operator journeys in Debian's Chromium, against the built plugin inside the harness host page, the real
// event-bus service and redis-server. What the harness stands in for, and what it does not prove: README.md here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, chromium, Page } from 'playwright-core';

import { testIds } from '../../src/components/testIds';
import { RunningHarness, startHarness } from './server';
import { EventBusStack, startEventBusStack } from './services';

const SCREENSHOTS = path.join(__dirname, '.build', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('in Chromium, with the built plugin', () => {
  let stack: EventBusStack;
  let harness: RunningHarness;
  let browser: Browser;

  before(async () => {
    stack = await startEventBusStack();
    await stack.seed(
      '{events}:orders',
      Array.from({ length: 12 }, (_, i) => JSON.stringify({ orderId: `A-${i}`, amount: -1 }))
    );
    harness = await startHarness({
      jsonData: { eventBusUrl: stack.serviceUrl },
      secureJsonData: { eventBusToken: stack.token },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
    await stack?.stop();
  });

  const pageErrors = new WeakMap<Page, string[]>();

  async function open(pathAndQuery: string, role = 'Admin'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    pageErrors.set(page, errors);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript((chosen) => localStorage.setItem('harness.role', chosen), role);
    await page.goto(`${harness.url}${pathAndQuery}`);
    await page.waitForFunction(() => document.body.dataset.harnessReady || document.body.dataset.harnessError);
    const startError = await page.evaluate(() => document.body.dataset.harnessError);
    assert.equal(startError, undefined, `the host failed to start: ${startError}`);
    return page;
  }

  /** Closes the page, failing the test on any uncaught error it raised. */
  async function close(page: Page) {
    await page.close();
    assert.deepEqual(pageErrors.get(page), [], 'uncaught page errors');
  }

  it('opens the runbook index and narrows it as the operator types', async () => {
    const page = await open('/a/opsdesk-runbooks-app/runbooks');
    await page.getByTestId(testIds.index.result).first().waitFor();
    const all = await page.getByTestId(testIds.index.result).count();
    assert.ok(all >= 7, `${all} runbooks listed`);

    await page.getByTestId(testIds.index.search).fill('ApiHighLatency');
    await page.getByTestId(testIds.index.result).first().waitFor();
    assert.equal(await page.getByTestId(testIds.index.result).count(), 1);
    assert.match(await page.getByTestId(testIds.index.result).innerText(), /Performance issues/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'index.png') });
    await close(page);
  });

  it('opens the DLQ runbook from an alert link with its labels, and the live block reads the real DLQ', async () => {
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders&from=now-1h&to=now'
    );
    const banner = page.getByTestId(testIds.runbook.alertContext);
    await banner.waitFor();
    assert.match(await banner.innerText(), /Opened from alert EventBusDlqBacklogGrowing/);
    assert.match(await banner.innerText(), /stream=\{events\}:orders/);
    const live = page.getByTestId(testIds.runbook.liveBlock).first();
    await live.getByText('12 in the DLQ from').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runbook-from-alert.png'), fullPage: false });
    await close(page);
  });

  it('follows a link between runbooks inside the app', async () => {
    const page = await open('/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures');
    await page.getByTestId(testIds.runbook.markdown).waitFor();
    const link = page
      .getByTestId(testIds.runbook.markdown)
      .locator('a[href^="/a/opsdesk-runbooks-app/runbooks/key-rotation"]')
      .first();
    await link.click();
    await page.waitForURL(/\/runbooks\/key-rotation/);
    await page.getByRole('heading', { name: /Rotate the event-bus token/ }).waitFor();
    await close(page);
  });

  it('shows the runbook beside the dashboard, or says it cannot embed and offers a new tab', async () => {
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&from=now-6h&to=now'
    );
    await page.getByTestId(testIds.beside.container).waitFor();
    // The harness has no Grafana dashboard to embed: the fallback is what a Grafana without EmbeddedDashboard shows.
    const fallback = page.getByTestId(testIds.beside.fallback);
    await fallback.waitFor();
    assert.equal(await fallback.getByRole('link').getAttribute('href'), '/d/opsdesk-event-bus?from=now-6h&to=now');
    await page.getByRole('separator').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'beside.png') });
    await close(page);
  });

  it('lets an Editor retry the stream from the live block, confirmed, with the result and an audit annotation', async () => {
    const inDlq = async () => Number(await stack.redis.sendCommand(['XLEN', '{events}:dlq']));
    const before = await inDlq();
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders',
      'Editor'
    );
    const live = page.getByTestId(testIds.runbook.liveBlock).first();
    await live.getByText('12 in the DLQ from').waitFor({ timeout: 15_000 });
    assert.equal(await live.getByRole('button', { name: /purge/i }).count(), 0, 'an Editor may not purge');

    await live.getByRole('button', { name: 'Retry all 12 of {events}:orders' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Retry 12 entries of \{events\}:orders up to/).waitFor();
    await dialog.getByRole('button', { name: 'Retry 12' }).click();
    await live.getByTestId(testIds.dlqPanel.result).getByText(/12/).first().waitFor({ timeout: 15_000 });

    assert.equal(await inDlq(), before - 12);
    assert.equal(Number(await stack.redis.sendCommand(['XLEN', '{events}:orders'])), 12);
    const annotation = harness.annotations.at(-1) as { tags: string[]; text: string; dashboardUID?: string };
    assert.deepEqual(annotation.tags.slice(0, 2), ['dlq', 'retry']);
    assert.match(annotation.text, /12/);
    assert.equal(annotation.dashboardUID, 'opsdesk-event-bus');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'retry-from-live-block.png') });
    await close(page);
  });

  it('shows a Viewer a read-only panel, and the proxy refuses a retry posted by hand', async () => {
    await stack.seed('{events}:orders', ['{"orderId":"V-1"}']);
    const page = await open('/a/opsdesk-runbooks-app/runbooks/dlq-management', 'Viewer');
    const live = page.getByTestId(testIds.runbook.liveBlock).first();
    await live.getByTestId(testIds.dlqPanel.readOnly).waitFor({ timeout: 15_000 });
    assert.equal(await live.getByRole('button', { name: /retry|purge/i }).count(), 0);

    const status = await page.evaluate(async () => {
      const response = await fetch('/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/retry', {
        method: 'POST',
        headers: { authorization: 'Bearer harness-Viewer', 'content-type': 'application/json' },
        body: JSON.stringify({ upToId: '9999999999999-0' }),
      });
      return response.status;
    });
    assert.equal(status, 403);
    await close(page);
  });

  it('tests the configuration: a wrong token is a 401 in plain words, the right one reaches the bus', async () => {
    const page = await open('/plugins/opsdesk-runbooks-app');
    const token = page.getByTestId(testIds.appConfig.eventBusToken);
    await page.getByRole('button', { name: /reset/i }).click();
    await token.fill('not-the-service-token-0000');
    await page.getByRole('button', { name: 'Save & test' }).click();
    const result = page.getByTestId(testIds.appConfig.testResult);
    await result.getByText('The event bus rejected the token (401)').waitFor();

    await page.getByRole('button', { name: /reset/i }).click();
    await token.fill(stack.token);
    await page.getByRole('button', { name: 'Save & test' }).click();
    await result.getByText(/The event bus is reachable/).waitFor();
    assert.equal(harness.settings.secureJsonData.eventBusToken, stack.token);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'config.png') });
    await close(page);
  });
});
