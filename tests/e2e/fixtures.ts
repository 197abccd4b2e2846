import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { APIRequestContext } from '@playwright/test';
import { AppConfigPage, AppPage, expect, test as base } from '@grafana/plugin-e2e';

import eventBusDashboard from '../../src/dashboards/event-bus.json';
import platformDashboard from '../../src/dashboards/platform-overview.json';
import pluginJson from '../../src/plugin.json';

// Shared by every spec that runs against the compose stack (`docker compose up`, then `npm run e2e`).

export const PLUGIN_ID = pluginJson.id;
/** Browser-side prefix of the app's data-proxy routes. */
export const PROXY = `/api/plugin-proxy/${PLUGIN_ID}/api/events`;
/** What docker-compose.yaml gives the event bus and provisioning/plugins/apps.yaml gives the app. */
export const EVENT_BUS = {
  url: process.env.EVENT_BUS_URL ?? 'http://event-bus:8080',
  token: process.env.EVENT_BUS_TOKEN ?? 'dev-event-bus-token',
};
/** The dashboards the app bundles (plugin.json includes), which Grafana imports when the app is enabled. */
export const EVENT_BUS_DASHBOARD = { uid: eventBusDashboard.uid, title: eventBusDashboard.title };
export const APP_DASHBOARDS = [EVENT_BUS_DASHBOARD, { uid: platformDashboard.uid, title: platformDashboard.title }];
export const DLQ_ALERT = 'EventBusDlqBacklogGrowing';

/**
 * Users the auth projects in playwright.config.ts create and sign in (plugin-e2e `createUser`), one per basic role
 * the app's plugin RBAC grants something to. Their storage state is `playwright/.auth/<user>.json`.
 */
export const USERS = {
  editor: { user: 'opsdesk-e2e-editor', password: 'opsdesk-e2e-Editor-1', role: 'Editor' },
  viewer: { user: 'opsdesk-e2e-viewer', password: 'opsdesk-e2e-Viewer-1', role: 'Viewer' },
} as const;

export function storageStateOf(user: { user: string }): string {
  return `playwright/.auth/${user.user}.json`;
}

/** EmbeddedDashboard (@grafana/runtime) exists from Grafana 11.1 up to 13.2; later the page falls back to a link. */
export function canEmbed(grafanaVersion: string): boolean {
  const [major, minor] = grafanaVersion.split('.').map(Number);
  return major < 13 || (major === 13 && minor <= 2);
}

/** `GET /api/events/health` as far as the specs read it. */
export interface Health {
  status: string;
  dlq?: { length: number; byStream?: Record<string, number> };
}

export interface DlqPage {
  total: number;
  snapshotId: string | null;
  entries: Array<{ id: string; stream: string; retryOf: string | null }>;
}

/** Test timeout for a spec that waits for the DLQ alert to fire (`waitForFiringAlert`). */
export const ALERT_WAIT_MS = 12 * 60_000;

export interface AlertInstance {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

/** Reads the event bus's health through the app's proxy route, as whoever `request` is signed in as. */
export async function readHealth(request: APIRequestContext): Promise<Health> {
  const response = await request.get(`${PROXY}/health`);
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

/** Lists the DLQ through the proxy, oldest first. */
export async function readDlq(request: APIRequestContext, query: Record<string, string | number>): Promise<DlqPage> {
  const response = await request.get(`${PROXY}/dlq`, { params: query });
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

/** Waits until the demo workload has dead-lettered at least `count` messages from `stream`. */
export async function waitForDlqEntries(request: APIRequestContext, stream: string, count: number): Promise<void> {
  await expect
    .poll(async () => (await readHealth(request)).dlq?.byStream?.[stream] ?? 0, {
      message: `${count} entries of ${stream} in the DLQ`,
      timeout: 120_000,
      intervals: [2_000],
    })
    .toBeGreaterThanOrEqual(count);
}

/**
 * Waits for a provisioned Grafana-managed rule to fire and returns its firing instances, with their labels and
 * annotations rendered per instance. With the compose stack's demo workload, the DLQ alert's `for: 5m` means about
 * six minutes after the stack starts: callers set their test timeout accordingly (`ALERT_WAIT_MS`).
 */
export async function waitForFiringAlert(request: APIRequestContext, alertname: string): Promise<AlertInstance[]> {
  let firing: AlertInstance[] = [];
  await expect
    .poll(
      async () => {
        const response = await request.get('/api/prometheus/grafana/api/v1/alerts');
        const alerts: AlertInstance[] = (await response.json()).data?.alerts ?? [];
        firing = alerts.filter(
          (alert) => alert.labels.alertname === alertname && alert.state.toLowerCase().startsWith('alerting')
        );
        return firing.length;
      },
      { message: `${alertname} firing`, timeout: ALERT_WAIT_MS - 60_000, intervals: [10_000] }
    )
    .toBeGreaterThan(0);
  return firing;
}

/**
 * Runs `docker compose` on the stack the specs run against (the CI runner and a developer's machine have Docker;
 * the project's own machines do not, so specs that call this run only there).
 */
export function compose(...args: string[]): void {
  execFileSync('docker', ['compose', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: 'inherit',
    timeout: 180_000,
  });
}

/** Puts back what provisioning/plugins/apps.yaml sets, after a spec changed the app's settings. */
export async function restoreAppSettings(request: APIRequestContext): Promise<void> {
  const current = await (await request.get(`/api/plugins/${PLUGIN_ID}/settings`)).json();
  const response = await request.post(`/api/plugins/${PLUGIN_ID}/settings`, {
    data: {
      enabled: true,
      pinned: Boolean(current.pinned),
      jsonData: { eventBusUrl: EVENT_BUS.url },
      secureJsonData: { eventBusToken: EVENT_BUS.token },
    },
  });
  expect(response.ok(), await response.text()).toBe(true);
  await expect.poll(async () => (await request.get(`${PROXY}/health`)).status(), { timeout: 30_000 }).toBe(200);
}

// Chromium reports this benign layout notice as an uncaught error; Grafana's own panels trigger it.
const BENIGN_PAGE_ERRORS = [/ResizeObserver loop/];

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
  failOnPageErrors: void;
};

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    const configPage = await gotoAppConfigPage({
      pluginId: pluginJson.id,
    });
    await use(configPage);
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) =>
      gotoAppPage({
        path,
        pluginId: pluginJson.id,
      })
    );
  },
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => {
        if (!BENIGN_PAGE_ERRORS.some((pattern) => pattern.test(error.message))) {
          errors.push(error.message);
        }
      });
      await use();
      expect(errors, 'uncaught errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
