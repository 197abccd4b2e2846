import { APIRequestContext } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import { EVENT_BUS_DASHBOARD, PROXY, compose, test, expect } from './fixtures';

// The event bus failing under a running Grafana: frozen (`docker compose pause`: connections open, nothing answers)
// and stopped (`docker compose stop`: the name no longer resolves). These take the service away from every other
// spec: playwright.config.ts runs this file last, in its own project, one test at a time. Each test gives the
// service back in `finally`, then waits for it to answer through the proxy again.
test.describe.configure({ mode: 'default' });

async function waitForEventBus(request: APIRequestContext) {
  await expect
    .poll(async () => (await request.get(`${PROXY}/health`, { timeout: 10_000 }).catch(() => undefined))?.status(), {
      message: 'the event bus answering through the proxy again',
      timeout: 120_000,
      intervals: [2_000],
    })
    .toBe(200);
}

test('a hung event bus: Grafana sets no deadline, the panel gives up after its own', async ({
  gotoDashboardPage,
  page,
}) => {
  test.setTimeout(4 * 60_000);
  const dashboard = EVENT_BUS_DASHBOARD;
  compose('pause', 'event-bus');
  try {
    // Longer than Grafana's own 30 s data-proxy timeout: for app routes it must not answer (not even a 504).
    await expect(page.request.get(`${PROXY}/health`, { timeout: 45_000 })).rejects.toThrow(/Timeout 45000ms exceeded/);

    await gotoDashboardPage({ uid: dashboard.uid });
    const problem = page.getByTestId(testIds.dlqPanel.container).getByTestId(testIds.dlqPanel.problem);
    await expect(problem).toContainText('No answer from the event bus within 10 seconds', { timeout: 30_000 });
    await expect(problem.getByRole('link', { name: /when the event bus or Redis is down/ })).toBeVisible();
  } finally {
    compose('unpause', 'event-bus');
  }
  await waitForEventBus(page.request);
});

test('the event bus stopped mid-session: the panel says so, then recovers', async ({ gotoDashboardPage, page }) => {
  test.setTimeout(5 * 60_000);
  const dashboard = EVENT_BUS_DASHBOARD;
  await gotoDashboardPage({ uid: dashboard.uid });
  const panel = page.getByTestId(testIds.dlqPanel.container);
  const status = panel.getByTestId(testIds.dlqPanel.status);
  const problem = panel.getByTestId(testIds.dlqPanel.problem);
  await expect(status).toBeVisible({ timeout: 30_000 });

  compose('stop', 'event-bus');
  try {
    await expect(async () => {
      await panel.getByRole('button', { name: 'Read the DLQ again' }).click({ timeout: 5_000 });
      await expect(problem).toContainText('Grafana could not reach the event bus (502)', { timeout: 5_000 });
    }).toPass({ timeout: 60_000 });
    await expect(status).toHaveCount(0);
  } finally {
    compose('start', 'event-bus');
  }
  await waitForEventBus(page.request);

  await expect(async () => {
    if (await problem.isVisible()) {
      await problem.getByRole('button', { name: 'Try again' }).click({ timeout: 5_000 });
    }
    await expect(status).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(problem).toHaveCount(0);
});
