import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import panelPluginJson from '../../src/panels/dlq-health/plugin.json';
import { ALERT_WAIT_MS, APP_DASHBOARDS, DLQ_ALERT, PLUGIN_ID, test, expect, waitForFiringAlert } from './fixtures';

// What only a real Grafana can say about provisioning/: that it accepted the datasource, the app (which imports its
// dashboards) and its panel, every alert
// rule and the notification template, and that with the compose stack's demo workload the DLQ backlog alert fires
// and links to its runbook. Runs against `docker compose up` (the e2e job of .github/workflows/ci.yml).

const provisioning = path.resolve(__dirname, '../..', 'provisioning');
const rulesFile = 'opsdesk-alert-rules.yaml';

interface ProvisionedRule {
  uid: string;
  title: string;
  annotations: Record<string, string>;
}

function provisionedRules(): ProvisionedRule[] {
  const doc = parse(fs.readFileSync(path.join(provisioning, 'alerting', rulesFile), 'utf8'));
  return doc.groups.flatMap((group: { rules: ProvisionedRule[] }) => group.rules);
}

test('the Prometheus datasource is provisioned and reaches Prometheus', async ({ readProvisionedDataSource, page }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'prometheus.yaml' });
  const health = await page.request.get(`/api/datasources/uid/${datasource.uid}/health`);
  await expect(health).toBeOK();
});

for (const dashboard of APP_DASHBOARDS) {
  test(`dashboard ${dashboard.uid}, imported by the app, opens`, async ({ gotoDashboardPage, page }) => {
    await expect(await page.request.get(`/api/dashboards/uid/${dashboard.uid}`)).toBeOK();
    await gotoDashboardPage({ uid: dashboard.uid });
    await expect(page.getByText(dashboard.title, { exact: true }).first()).toBeVisible();
  });
}

// Outside development mode Grafana checks the nested panel's signature under its own id, so it must be loaded too.
test('the DLQ health panel plugin is loaded beside the app', async ({ page }) => {
  const panel = await page.request.get(`/api/plugins/${panelPluginJson.id}/settings`);
  await expect(panel).toBeOK();
  expect((await panel.json()).type).toBe('panel');
});

// Only the alert rules create a folder: no other provisioner races them to one of the same title.
test('one folder named opsdesk holds every provisioned alert rule', async ({ page }) => {
  const folders = (await (await page.request.get('/api/folders')).json()) as Array<{ uid: string; title: string }>;
  const opsdesk = folders.filter((folder) => folder.title === 'opsdesk');
  expect(opsdesk).toHaveLength(1);
  const rules = (await (await page.request.get('/api/v1/provisioning/alert-rules')).json()) as Array<{
    title: string;
    folderUID: string;
  }>;
  for (const rule of provisionedRules()) {
    expect(rules.find((found) => found.title === rule.title)?.folderUID, rule.title).toBe(opsdesk[0].uid);
  }
});

test('every alert rule is provisioned with its runbook link', async ({ page }) => {
  for (const rule of provisionedRules()) {
    const response = await page.request.get(`/api/v1/provisioning/alert-rules/${rule.uid}`);
    await expect(response).toBeOK();
    const stored = await response.json();
    expect(stored.title).toBe(rule.title);
    expect(stored.annotations.runbook_url).toBe(rule.annotations.runbook_url);
  }
});

test('the notification template is provisioned', async ({ page }) => {
  const doc = parse(fs.readFileSync(path.join(provisioning, 'alerting', 'opsdesk-notification-template.yaml'), 'utf8'));
  await expect(await page.request.get(`/api/v1/provisioning/templates/${doc.templates[0].name}`)).toBeOK();
});

test('the demo workload makes the DLQ backlog alert fire, and its rule links to its runbook', async ({ page }) => {
  test.setTimeout(ALERT_WAIT_MS);
  const rule = provisionedRules().find((r) => r.title === DLQ_ALERT)!;
  const firing = await waitForFiringAlert(page.request, DLQ_ALERT);
  // One instance per stream; each carries its own runbook link with its stream filled in.
  for (const instance of firing) {
    expect(instance.labels.stream).toMatch(/^\{events\}:/);
    expect(instance.annotations.runbook_url).toContain(
      `/a/${PLUGIN_ID}/runbooks/dlq-management?alertname=${DLQ_ALERT}&stream=${encodeURIComponent(instance.labels.stream)}`
    );
  }

  await page.goto(`/alerting/grafana/${rule.uid}/view`);
  await expect(page.getByRole('link', { name: /runbook/i }).first()).toHaveAttribute(
    'href',
    /\/a\/opsdesk-runbooks-app\/runbooks\/dlq-management/
  );
});

// The app's dashboards come from plugin.json includes alone (nothing under provisioning/ loads them), so each exists
// once, under its uid, imported by the app.
test("the app's dashboards exist once each, imported by the app", async ({ page }) => {
  const included = await (await page.request.get(`/api/plugins/${PLUGIN_ID}/dashboards`)).json();
  const imported = (included as Array<{ uid?: string; title: string; imported: boolean }>).filter(
    (dashboard) => dashboard.imported
  );
  for (const dashboard of APP_DASHBOARDS) {
    expect(imported.map((found) => found.title)).toContain(dashboard.title);
    const found = await (
      await page.request.get('/api/search', { params: { type: 'dash-db', query: dashboard.title } })
    ).json();
    const sameTitle = (found as Array<{ uid: string; title: string }>).filter((hit) => hit.title === dashboard.title);
    expect(sameTitle.map((hit) => hit.uid)).toEqual([dashboard.uid]);
  }
});
