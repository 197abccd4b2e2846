// Operator journeys in Debian's Chromium, against the built plugin inside the harness host page, the real
// event-bus service and redis-server. What the harness stands in for, and what it does not prove:
// ../harness/README.md.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import AxeBuilder from '@axe-core/playwright';
import { Browser, chromium, Locator, Page } from 'playwright-core';

import { testIds } from '../../src/components/testIds';
import { RunningHarness, startHarness } from '../harness/server';
import { EventBusStack, startEventBusStack } from '../harness/services';

const SCREENSHOTS = path.join(__dirname, '..', 'harness', '.build', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLAIN_HTTP_HOST = 'runbooks.test';

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
        // A name that is not localhost, for an origin the browser does not count as secure (plain HTTP).
        `--host-resolver-rules=MAP ${PLAIN_HTTP_HOST} 127.0.0.1`,
      ],
    });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
    await stack?.stop();
  });

  interface PageProblems {
    /** Uncaught exceptions and console.error calls. */
    errors: string[];
    /** HTTP error statuses the page received, as "<status> <path>". */
    httpErrors: string[];
    /** Icon SVGs requested and not yet answered. */
    pendingIcons: Set<unknown>;
  }
  const problems = new WeakMap<Page, PageProblems>();

  async function open(
    pathAndQuery: string,
    role = 'Admin',
    { embeddedDashboard = true, plainHttp = false }: { embeddedDashboard?: boolean; plainHttp?: boolean } = {}
  ): Promise<Page> {
    // A context of its own per page: axe-core's Playwright builder refuses pages from browser.newPage().
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const seen: PageProblems = { errors: [], httpErrors: [], pendingIcons: new Set() };
    problems.set(page, seen);
    page.on('pageerror', (error) => seen.errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every HTTP error response as a console error; those are checked as statuses below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        seen.errors.push(`console.error: ${message.text()}`);
      }
    });
    // @grafana/ui's Icon fetches each SVG the first time it is drawn (react-inlinesvg) and draws nothing until then.
    const isIcon = (url: string) => new URL(url).pathname.startsWith('/public/build/img/icons/');
    page.on('request', (request) => isIcon(request.url()) && seen.pendingIcons.add(request));
    page.on('requestfinished', (request) => seen.pendingIcons.delete(request));
    page.on('requestfailed', (request) => seen.pendingIcons.delete(request));
    page.on('response', (response) => {
      if (response.status() >= 400) {
        seen.httpErrors.push(`${response.status()} ${new URL(response.url()).pathname}`);
      }
    });
    await page.addInitScript(
      ([chosen, embedded]) => {
        localStorage.setItem('harness.role', chosen);
        localStorage.setItem('harness.embeddedDashboard', embedded);
      },
      [role, embeddedDashboard ? 'on' : 'off']
    );
    const origin = plainHttp ? `http://${PLAIN_HTTP_HOST}:${new URL(harness.url).port}` : harness.url;
    await page.goto(`${origin}${pathAndQuery}`);
    await page.waitForFunction(() => document.body.dataset.harnessReady || document.body.dataset.harnessError);
    const startError = await page.evaluate(() => document.body.dataset.harnessError);
    assert.equal(startError, undefined, `the host failed to start: ${startError}`);
    return page;
  }

  /**
   * Saves the journey's end state and closes the page, failing the test on any uncaught error, console error, HTTP
   * error response or Grafana toast the journey did not expect (`httpErrors` patterns match "<status> <path>"; the
   * app shows its own results, so a toast from backendSrv means a request forgot `showErrorAlert: false`).
   */
  async function finish(
    page: Page,
    screenshot: string,
    expected: { httpErrors?: RegExp[]; consoleErrors?: RegExp[] } = {}
  ) {
    if (screenshot) {
      await saveScreenshot(page, screenshot);
    }
    // backendSrv raises its toasts 50 ms after an error, as Grafana does.
    await page.waitForTimeout(100);
    const toasts = await page.evaluate(
      () => (window as unknown as { __harnessToasts?: Array<{ type: string; text: string }> }).__harnessToasts ?? []
    );
    await page.context().close();
    assert.deepEqual(toasts, [], 'Grafana toasts raised by backendSrv');
    const seen = problems.get(page)!;
    const unexpected = (lines: string[], patterns: RegExp[] = []) =>
      lines.filter((line) => !patterns.some((pattern) => pattern.test(line)));
    assert.deepEqual(unexpected(seen.errors, expected.consoleErrors), [], 'uncaught or console errors');
    assert.deepEqual(unexpected(seen.httpErrors, expected.httpErrors), [], 'unexpected HTTP errors');
  }

  /**
   * Saves what the operator sees once every icon is drawn: an icon still on its way draws as an empty space, which
   * is how end-state screenshots came to show alert boxes and links without their icons.
   */
  async function saveScreenshot(page: Page, name: string) {
    const { pendingIcons } = problems.get(page)!;
    await waitUntil(
      async () => pendingIcons.size === 0,
      async () => `${pendingIcons.size} icons still loading`
    );
    // Icons that found their SVG already loading poll for it every 100 ms (react-inlinesvg 4.3 CacheStore).
    await page.waitForTimeout(250);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  /** Fails unless every element `locator` finds draws an icon (an `svg`) inside it. */
  async function assertIconsDrawn(locator: Locator, what: string) {
    const count = await locator.count();
    assert.ok(count > 0, `no ${what} found`);
    for (let i = 0; i < count; i++) {
      await locator.nth(i).locator('svg').first().waitFor({ timeout: 5_000 });
    }
  }

  const panelUrl = (options: Record<string, unknown>) =>
    `/panel/dlq-health?dashboard=opsdesk-event-bus&options=${encodeURIComponent(JSON.stringify(options))}`;
  const xlen = async (stream: string) => Number(await stack.redis.sendCommand(['XLEN', stream]));

  /** Polls `condition` for up to 15 s; on a timeout, fails with what `describe` says the screen shows. */
  async function waitUntil(condition: () => Promise<boolean>, describe: () => Promise<string>) {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) {
        assert.fail(`still not so after 15 s: ${await describe()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('opens the runbook index and narrows it as the operator types', async () => {
    const page = await open('/a/opsdesk-runbooks-app/runbooks');
    const runbookFiles: string[] = [];
    page.on('request', (request) => {
      const file = /\/runbooks\/((?:content|search)-[0-9a-f]+\.json)$/.exec(new URL(request.url()).pathname);
      if (file) {
        runbookFiles.push(file[1]);
      }
    });
    await page.getByTestId(testIds.index.result).first().waitFor();
    const all = await page.getByTestId(testIds.index.result).count();
    assert.ok(all >= 7, `${all} runbooks listed`);

    // A heading only the search file holds.
    await page.getByTestId(testIds.index.search).fill('point-in-time');
    await page.getByTestId(testIds.index.result).first().waitFor();
    assert.equal(await page.getByTestId(testIds.index.result).count(), 1);
    assert.match(await page.getByTestId(testIds.index.result).innerText(), /Database recovery/);
    await page.getByTestId(testIds.index.search).fill('ApiHighLatency');
    await page.getByTestId(testIds.index.result).first().waitFor();
    assert.equal(await page.getByTestId(testIds.index.result).count(), 1);
    assert.match(await page.getByTestId(testIds.index.result).innerText(), /Performance issues/);
    await saveScreenshot(page, 'index');
    assert.deepEqual(
      runbookFiles.map((file) => file.split('-')[0]),
      ['search'],
      `the index loads the search headings and no runbook body: ${runbookFiles.join(', ')}`
    );

    await page.getByTestId(testIds.index.result).getByRole('link').click();
    await page.getByTestId(testIds.runbook.markdown).waitFor();
    assert.deepEqual(
      runbookFiles.map((file) => file.split('-')[0]),
      ['search', 'content'],
      `opening a runbook loads one content file: ${runbookFiles.join(', ')}`
    );
    await finish(page, '');
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
    // Every alert link in the header draws its bell.
    await assertIconsDrawn(page.locator('a[href^="/alerting/list?search="]'), 'alert links');
    await finish(page, 'runbook-from-alert');
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
    await finish(page, 'runbook-link');
  });

  it('copies a runbook command over plain HTTP, where the browser offers no clipboard API', async () => {
    const page = await open('/a/opsdesk-runbooks-app/runbooks/dlq-management', 'Viewer', { plainHttp: true });
    await page.getByTestId(testIds.runbook.markdown).waitFor();
    assert.deepEqual(await page.evaluate(() => [window.isSecureContext, typeof navigator.clipboard]), [
      false,
      'undefined',
    ]);
    const command = await page.getByTestId(testIds.runbook.markdown).locator('pre').first().innerText();
    await page.getByTestId(testIds.runbook.markdown).getByRole('button', { name: 'Copy' }).first().click();
    await page.getByText('Copied').first().waitFor();

    // What the operator pastes into a terminal: the block as written.
    await page.evaluate(() => {
      const target = document.createElement('textarea');
      target.id = 'paste-target';
      document.body.appendChild(target);
      target.focus();
    });
    await page.keyboard.press('Control+V');
    assert.equal(await page.locator('#paste-target').inputValue(), command);
    await finish(page, 'copy-over-plain-http');
  });

  it('shows the runbook beside its dashboard with the same time range, and the divider moves and is remembered', async () => {
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&from=now-6h&to=now'
    );
    const dashboard = page.getByTestId(testIds.beside.dashboard);
    await dashboard.getByText('Event bus', { exact: true }).waitFor();
    await dashboard.getByText('now-6h to now').waitFor();
    await dashboard.getByTestId(testIds.dlqPanel.health).waitFor({ timeout: 15_000 });
    // Grafana reports the dashboard's URL state only when it changes, never on mount: the link stays as opened.
    assert.equal(new URL(page.url()).search, '?dashboard=opsdesk-event-bus&from=now-6h&to=now');

    // The live block's table is wider than its pane's share: the pane scrolls, nothing is pushed off screen.
    const container = page.getByTestId(testIds.beside.container);
    const overflow = await container.evaluate((element) => element.scrollWidth - element.clientWidth);
    assert.ok(overflow <= 1, `the beside view is ${overflow} px wider than the window`);

    const divider = page.getByRole('separator', { name: 'Pane resize widget' });
    const before = (await dashboard.boundingBox())!;
    const handle = (await divider.boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 + 200, handle.y + handle.height / 2, { steps: 10 });
    await page.mouse.up();
    const after = (await dashboard.boundingBox())!;
    assert.ok(before.width - after.width > 150, `the dashboard pane went from ${before.width} to ${after.width} px`);
    const remembered = Number(await page.evaluate(() => localStorage.getItem('opsdesk-runbooks-app.beside.split')));
    assert.ok(remembered > 0.4, `split remembered as ${remembered}`);

    // A time range picked in the dashboard lands in the page's URL, replacing the last one, so the view can be shared.
    await dashboard.getByRole('radio', { name: 'Last 24 hours' }).click();
    await page.waitForURL(/from=now-24h/);
    const search = new URL(page.url()).searchParams;
    assert.deepEqual(
      [search.getAll('from'), search.getAll('to'), search.get('dashboard')],
      [['now-24h'], ['now'], 'opsdesk-event-bus']
    );
    await finish(page, 'beside');
  });

  it('offers the dashboard in a new tab where Grafana cannot embed one', async () => {
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&from=now-6h&to=now',
      'Admin',
      { embeddedDashboard: false }
    );
    const fallback = page.getByTestId(testIds.beside.fallback);
    await fallback.waitFor();
    assert.equal(
      await fallback.getByRole('link', { name: /Open dashboard/ }).getAttribute('href'),
      '/d/opsdesk-event-bus?from=now-6h&to=now'
    );
    // No half-empty screen: the runbook, live block included, takes the width the split view would have shared.
    const markdown = page.getByTestId(testIds.runbook.markdown);
    await markdown.waitFor();
    assert.equal(await page.getByTestId(testIds.beside.dashboard).count(), 0, 'no dashboard pane');
    const { width } = (await markdown.boundingBox())!;
    assert.ok(width > 800, `the runbook is ${width} px wide in a 1400 px window`);
    await page.getByTestId(testIds.runbook.liveBlock).first().getByTestId(testIds.dlqPanel.status).waitFor();
    // @grafana/runtime's placeholder throws when rendered; the error boundary turns it into the fallback, and React
    // reports the error it caught.
    await finish(page, 'beside-fallback', { consoleErrors: [/EmbeddedDashboard requires runtime initialization/] });
  });

  it("lets an Editor retry the stream's failure group from the live block, confirmed, with the result and an audit annotation", async () => {
    const before = await xlen('{events}:dlq');
    const page = await open(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders',
      'Editor'
    );
    const live = page.getByTestId(testIds.runbook.liveBlock).first();
    await live.getByText('12 in the DLQ from').waitFor({ timeout: 15_000 });
    assert.equal(await live.getByRole('button', { name: /purge/i }).count(), 0, 'an Editor may not purge');

    // The live block opens on the failure groups: the twelve share one failure.
    await live
      .getByRole('button', { name: /^Retry these 12 ValidationError: amount must be positive entries/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(/Retry 12 ValidationError: amount must be positive entries of \{events\}:orders up to/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Retry 12' }).click();
    await live.getByTestId(testIds.dlqPanel.result).getByText(/12/).first().waitFor({ timeout: 15_000 });

    assert.equal(await xlen('{events}:dlq'), before - 12);
    assert.equal(await xlen('{events}:orders'), 12);
    const annotation = harness.annotations.at(-1) as { tags: string[]; text: string; dashboardUID?: string };
    assert.deepEqual(annotation.tags.slice(0, 2), ['dlq', 'retry']);
    assert.match(annotation.text, /12/);
    assert.equal(annotation.dashboardUID, 'opsdesk-event-bus');

    // One truth on the page: the dashboard's DLQ panel beside reads the DLQ again, and both say what Redis holds.
    const depthOf = async (view: Locator) =>
      (await view.getByTestId(testIds.dlqPanel.health).textContent())?.match(/DLQ depth(\d+)/)?.[1];
    const besidePanel = page.getByTestId(testIds.beside.dashboard).getByTestId(testIds.dlqPanel.container);
    const inRedis = String(await xlen('{events}:dlq'));
    await waitUntil(
      async () => (await depthOf(live)) === inRedis && (await depthOf(besidePanel)) === inRedis,
      () =>
        Promise.all([depthOf(live), depthOf(besidePanel)]).then(
          ([left, right]) => `live block ${left}, dashboard panel ${right}, Redis ${inRedis}`
        )
    );

    // The stream is empty now: no button offers to retry nothing; the reason is said instead.
    await live.getByRole('radio', { name: 'Entries' }).click();
    await live.getByText('Nothing to retry or purge: no entry of {events}:orders is in the DLQ.').waitFor();
    assert.equal(await live.getByRole('button', { name: /^Retry all/ }).count(), 0);
    await finish(page, 'retry-from-live-block');
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
    await finish(page, 'viewer-read-only', {
      httpErrors: [/^403 \/api\/plugin-proxy\/opsdesk-runbooks-app\/api\/events\/dlq\/retry$/],
    });
  });

  it('inspects an entry in the panel, and an Editor retries the selected ones back into their stream', async () => {
    const payloads = ['P-1', 'P-2', 'P-3'].map((paymentId) => JSON.stringify({ paymentId, currency: 'XXX' }));
    const ids = await stack.seed('{events}:payments', payloads);
    const dlqBefore = await xlen('{events}:dlq');
    const page = await open(panelUrl({ stream: '{events}:payments' }), 'Editor');
    const panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByText('3 in the DLQ from').waitFor({ timeout: 15_000 });
    await panel.getByRole('radio', { name: 'Entries' }).check({ force: true });

    const rows = panel.getByTestId(testIds.dlqPanel.entries).getByRole('row');
    await rows
      .nth(1)
      .getByRole('button', { name: /toggle row expanded/i })
      .click();
    const payload = panel.getByTestId(testIds.dlqPanel.payload);
    await payload.waitFor();
    assert.match(await payload.innerText(), /"paymentId": "P-1"/);
    assert.match(await panel.getByText(`DLQ ID ${ids[0]}`).innerText(), /from \{events\}:payments/);

    await panel.getByRole('checkbox', { name: `Select entry ${ids[0]}` }).check({ force: true });
    await panel.getByRole('checkbox', { name: `Select entry ${ids[1]}` }).check({ force: true });
    const originBefore = await xlen('{events}:payments');
    await panel.getByRole('button', { name: 'Retry selected (2)' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Retry 2' }).click();
    const result = panel.getByTestId(testIds.dlqPanel.result);
    await result.getByText(/^2 retried, 0 skipped/).waitFor({ timeout: 15_000 });
    await panel.getByText('1 in the DLQ from').waitFor();

    assert.equal(await xlen('{events}:dlq'), dlqBefore - 2);
    const requeued = (await stack.redis.sendCommand(['XRANGE', '{events}:payments', '-', '+'])) as Array<
      [string, string[]]
    >;
    assert.equal(requeued.length, originBefore + 2);
    const requeuedText = requeued.map(([, fields]) => fields.join(' ')).join('\n');
    assert.match(requeuedText, /P-1/);
    assert.match(requeuedText, /P-2/);
    assert.doesNotMatch(requeuedText, /P-3/);
    const annotation = harness.annotations.at(-1) as { tags: string[]; dashboardUID?: string };
    assert.deepEqual(annotation.tags.slice(0, 2), ['dlq', 'retry']);
    assert.equal(annotation.dashboardUID, 'opsdesk-event-bus');
    await finish(page, 'panel-retry-selected');
  });

  it('triages by failure: the groups largest first, a new class marked, and one group retried alone', async () => {
    const seed = (reason: string, n: number, type = 'notification.requested') =>
      stack.seed(
        '{events}:notifications',
        Array.from({ length: n }, (_, i) => JSON.stringify({ notificationId: `N-${reason.slice(0, 4)}-${i}` })),
        { reason, type }
      );
    const timeouts = await seed('TimeoutError: mailer did not answer within 3000 ms', 5);
    const invalid = await seed('ValidationError: postcode is required', 3);
    const typeErrors = await seed("TypeError: cannot read 'weight' of undefined", 2, 'notification.updated');
    const page = await open(panelUrl({ stream: '{events}:notifications' }), 'Editor');
    const panel = page.getByTestId(testIds.dlqPanel.container);
    const failures = panel.getByTestId(testIds.dlqPanel.failures);
    const rows = failures.getByRole('row');
    await rows.nth(3).waitFor({ timeout: 15_000 });
    assert.deepEqual(
      (await rows.allInnerTexts()).slice(1).map((row) => row.split(/\s+/)[0]),
      ['5', '3', '2'],
      'largest first'
    );

    // A failure that was not there at the previous read is marked.
    const refused = await seed('ConnectionError: ECONNREFUSED 10.0.0.7:5432', 1);
    await panel.getByRole('button', { name: 'Read the DLQ again' }).click();
    const newRow = rows.filter({ hasText: 'ConnectionError' });
    await newRow.getByText('New', { exact: true }).waitFor({ timeout: 15_000 });
    assert.equal(await failures.getByText('New', { exact: true }).count(), 1, 'only the new class is marked');
    await saveScreenshot(page, 'panel-failures');

    const originBefore = await xlen('{events}:notifications');
    await rows
      .filter({ hasText: 'TimeoutError' })
      .getByRole('button', { name: /^Retry these 5 / })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(
        /^Retry 5 TimeoutError: mailer did not answer within <n> ms entries of \{events\}:notifications up to /
      )
      .waitFor();
    await dialog.getByRole('button', { name: 'Retry 5' }).click();
    const result = panel.getByTestId(testIds.dlqPanel.result);
    await result.waitFor({ timeout: 15_000 });
    await result.getByText('Marked on the dashboard', { exact: false }).waitFor({ timeout: 15_000 });
    assert.match(await result.innerText(), /^5 retried, 0 skipped/m);
    await rows.filter({ hasText: 'TimeoutError' }).waitFor({ state: 'detached', timeout: 15_000 });

    // Only the retried group moved: the other groups' entries are still in the DLQ, in Redis.
    const dlq = (
      (await stack.redis.sendCommand(['XRANGE', '{events}:dlq', '-', '+'])) as Array<[string, string[]]>
    ).map(([id]) => id);
    assert.ok(
      timeouts.every((id) => !dlq.includes(id)),
      'every timeout left the DLQ'
    );
    assert.ok(
      [...invalid, ...typeErrors, ...refused].every((id) => dlq.includes(id)),
      'nothing else moved'
    );
    const requeued = (await stack.redis.sendCommand(['XRANGE', '{events}:notifications', '-', '+'])) as Array<
      [string, string[]]
    >;
    assert.equal(requeued.length, originBefore + 5);
    assert.deepEqual(
      requeued.slice(-5).map(([, fields]) => fields[fields.indexOf('retryOf') + 1]),
      timeouts
    );
    const annotation = harness.annotations.at(-1) as { tags: string[]; text: string };
    assert.deepEqual(annotation.tags.slice(0, 2), ['dlq', 'retry']);
    assert.match(annotation.text, /Retry 5 TimeoutError: mailer did not answer within <n> ms entries/);
    await finish(page, 'panel-failures-retried');
  });

  it('lets an Admin purge from the panel only after typing "purge"', async () => {
    await stack.seed(
      '{events}:refunds',
      ['R-1', 'R-2', 'R-3', 'R-4'].map((refundId) => JSON.stringify({ refundId }))
    );
    const page = await open(panelUrl({ stream: '{events}:refunds' }), 'Admin');
    const panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByText('4 in the DLQ from').waitFor({ timeout: 15_000 });
    await panel.getByRole('radio', { name: 'Entries' }).check({ force: true });

    await panel.getByRole('button', { name: 'Purge all 4 of {events}:refunds' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Purge 4' });
    await confirm.waitFor();
    assert.equal(await confirm.isDisabled(), true, 'purge is disabled until "purge" is typed');
    await dialog.getByRole('textbox').fill('purg');
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByRole('textbox').fill('purge');
    await saveScreenshot(page, 'panel-purge-confirm');
    await confirm.click();
    await panel
      .getByTestId(testIds.dlqPanel.result)
      .getByText(/^4 purged, 0 skipped/)
      .waitFor({ timeout: 15_000 });
    await panel.getByText('No DLQ entries match these filters').waitFor();
    const left = (await stack.redis.sendCommand(['XRANGE', '{events}:dlq', '-', '+'])) as Array<[string, string[]]>;
    assert.equal(left.filter(([, fields]) => fields.includes('{events}:refunds')).length, 0);
    await finish(page, 'panel-purge');
  });

  it('says when the event bus stops mid-session, and recovers when it is back', async () => {
    const page = await open(panelUrl({}), 'Editor');
    const panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByRole('radio', { name: 'Entries' }).check({ force: true, timeout: 15_000 });
    await panel.getByTestId(testIds.dlqPanel.entries).getByRole('row').nth(1).waitFor({ timeout: 15_000 });

    await stack.stopService();
    try {
      await page.getByRole('button', { name: 'Refresh dashboard' }).click();
      const problem = panel.getByTestId(testIds.dlqPanel.problem).first();
      await problem.waitFor({ timeout: 15_000 });
      assert.match(await problem.innerText(), /reach|unreachable|502/i);
      await problem.getByRole('link', { name: /when the event bus or redis is down/i }).waitFor();
      // The error box draws its icon (an Alert's severity icon).
      await assertIconsDrawn(problem.locator('[data-testid="data-testid Alert error"]'), 'error box');
      await saveScreenshot(page, 'event-bus-down');
    } finally {
      await stack.startService();
    }
    await panel.getByTestId(testIds.dlqPanel.problem).first().getByRole('button', { name: 'Try again' }).click();
    await panel.getByTestId(testIds.dlqPanel.entries).getByRole('row').nth(1).waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByTestId(testIds.dlqPanel.problem).count(), 0);
    await finish(page, 'event-bus-recovered', {
      httpErrors: [/^502 \/api\/plugin-proxy\/opsdesk-runbooks-app\/api\/events\//],
    });
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
    await finish(page, 'config', {
      httpErrors: [/^401 \/api\/plugin-proxy\/opsdesk-runbooks-app\/api\/events\/health$/],
    });
  });

  describe('accessibility: axe-core on every page and dialog, in both themes', () => {
    // WCAG 2.0 to 2.2, levels A and AA, plus landmark-unique, a best practice under none of those tags: a rule
    // enabled in `rules` runs whatever `runOnly` selects (axe-core 4.14 ruleShouldRun). Its impact is moderate, so it
    // fails the scan by name.
    const AXE_OPTIONS = {
      runOnly: { type: 'tag' as const, values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { 'landmark-unique': { enabled: true } },
    };
    /**
     * The one exception, Grafana's and not this plugin's: @grafana/ui's ConfirmModal focuses its confirm button,
     * and a focused primary button in the dark theme is drawn in primary.shade, white on it at 3.55:1 (4.61:1
     * unfocused, 6.56:1 in light).
     */
    const EXCEPTIONS = [
      { rule: 'color-contrast', theme: 'dark', within: '[data-testid="data-testid Confirm Modal Danger Button"]' },
    ];

    /** Scans `include` (this plugin's DOM, without the harness's own chrome) and fails on what the issue forbids. */
    async function scan(page: Page, theme: string, include: string, what: string) {
      const { violations } = await new AxeBuilder({ page })
        .include(include)
        .exclude('[data-harness-chrome]')
        .options(AXE_OPTIONS)
        .analyze();
      const problems: string[] = [];
      for (const violation of violations.filter(
        ({ id, impact }) => impact === 'serious' || impact === 'critical' || id === 'landmark-unique'
      )) {
        for (const node of violation.nodes) {
          const target = node.target.join(' ');
          const exception = EXCEPTIONS.find(({ rule, theme: only }) => rule === violation.id && only === theme);
          const isExcused =
            exception !== undefined &&
            (await page
              .locator(target)
              .first()
              .evaluate((element, within) => element.closest(within) !== null, exception.within));
          if (!isExcused) {
            problems.push(`${violation.id} (${violation.impact}): ${target} ${node.html.slice(0, 120)}`);
          }
        }
      }
      assert.deepEqual(problems, [], `axe on ${what}, ${theme} theme`);
    }

    for (const theme of ['dark', 'light']) {
      it(`finds no serious violation on the index, the DLQ runbook and the beside view (${theme})`, async () => {
        const index = await open(`/a/opsdesk-runbooks-app/runbooks?theme=${theme}`);
        await index.getByTestId(testIds.index.result).first().waitFor();
        assert.equal(await index.evaluate(() => document.body.dataset.theme), theme);
        assert.deepEqual(await index.getByRole('heading', { level: 1 }).allInnerTexts(), ['Runbooks']);
        await scan(index, theme, '#root', 'the runbook index');
        await finish(index, '');

        const runbook = await open(
          `/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing&theme=${theme}`
        );
        const live = runbook.getByTestId(testIds.runbook.liveBlock);
        await live.first().getByTestId(testIds.dlqPanel.status).waitFor({ timeout: 15_000 });
        await live.last().getByTestId(testIds.dlqPanel.status).waitFor({ timeout: 15_000 });
        assert.deepEqual(await runbook.getByRole('heading', { level: 1 }).allInnerTexts(), ['DLQ management']);
        await scan(runbook, theme, '#root', 'the DLQ runbook');
        await finish(runbook, '');

        const beside = await open(
          `/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus&theme=${theme}`
        );
        await beside
          .getByTestId(testIds.beside.dashboard)
          .getByTestId(testIds.dlqPanel.status)
          .waitFor({ timeout: 15_000 });
        await beside.getByTestId(testIds.runbook.liveBlock).first().getByTestId(testIds.dlqPanel.status).waitFor();
        await scan(beside, theme, '#root', 'the beside view');
        await finish(beside, '');
      });

      it(`finds no serious violation on the DLQ panel and its confirm dialog (${theme})`, async () => {
        const page = await open(`${panelUrl({})}&theme=${theme}`, 'Admin');
        const panel = page.getByTestId(testIds.dlqPanel.container);
        await panel.getByTestId(testIds.dlqPanel.failures).getByRole('row').nth(1).waitFor({ timeout: 15_000 });
        await scan(page, theme, '[data-testid="data-testid dlq-panel container"]', 'the DLQ panel, failures');
        await panel.getByRole('radio', { name: 'Entries' }).check({ force: true });
        await panel.getByTestId(testIds.dlqPanel.entries).getByRole('row').nth(1).waitFor({ timeout: 15_000 });
        await scan(page, theme, '[data-testid="data-testid dlq-panel container"]', 'the DLQ panel, entries');
        await panel.getByRole('button', { name: /^Retry all/ }).click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        await scan(page, theme, '[role="dialog"]', 'the retry confirmation');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await finish(page, '');
      });
    }
  });

  it('is usable by keyboard alone: select, open, cancel, open again, confirm, with focus kept and the result announced', async () => {
    await stack.seed(
      '{events}:payments',
      Array.from({ length: 3 }, (_, i) => JSON.stringify({ orderId: `K-${i}` })),
      { type: 'keyboard.test', reason: 'TimeoutError: keyboard journey' }
    );
    const page = await open(panelUrl({ stream: '{events}:payments' }), 'Editor');
    const panel = page.getByTestId(testIds.dlqPanel.container);
    await panel.getByRole('radio', { name: 'Entries' }).check({ force: true });
    const checkbox = panel.getByRole('checkbox', { name: /^Select entry / }).first();
    await checkbox.waitFor({ timeout: 15_000 });
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return element === document.body || !element
          ? 'body'
          : (element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.tagName);
      });
    const announcement = panel.getByTestId(testIds.dlqPanel.announcement);
    assert.equal(await announcement.count(), 1, 'the live region is in the page before any action');
    assert.equal(await announcement.textContent(), '');

    // Space ticks the row, and the focus stays on that checkbox.
    const label = (await checkbox.getAttribute('aria-label'))!;
    await checkbox.focus();
    await page.keyboard.press('Space');
    await waitUntil(
      async () => (await checkbox.isChecked()) && (await focused()) === label,
      async () => `focus on ${await focused()}`
    );

    // Enter opens the confirmation; Escape closes it and gives the focus back to the button that opened it.
    const retrySelected = panel.getByRole('button', { name: 'Retry selected (1)' });
    await retrySelected.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((element) => element.contains(document.activeElement)), 'focus inside the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await waitUntil(
      async () => (await focused()) === 'Retry selected (1)',
      async () => `focus on ${await focused()}`
    );

    // Open it again and confirm: the result is announced, and the focus lands on it.
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Retry 1' }).focus();
    await page.keyboard.press('Enter');
    await waitUntil(
      async () => /1 retried/.test((await announcement.textContent()) ?? ''),
      async () => `the live region says "${await announcement.textContent()}"`
    );
    await waitUntil(
      async () =>
        page.evaluate(
          (resultId) => Boolean(document.activeElement?.querySelector(`[data-testid="${resultId}"]`)),
          testIds.dlqPanel.result
        ),
      async () => `focus on ${await focused()}`
    );
    await finish(page, 'keyboard-retry');
  });
});
