import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { ALERT_WAIT_MS, DLQ_ALERT, PLUGIN_ID, test, expect, waitForFiringAlert } from './fixtures';

// What only a real Grafana can say about provisioning/: that it accepted the datasource, the dashboards, every alert
// rule and the notification template, and that with the compose stack's demo workload the DLQ backlog alert fires
// and links to its runbook. Runs against `docker compose up` (the e2e job of .github/workflows/ci.yml).

const provisioning = path.resolve(__dirname, '..', 'provisioning');
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

for (const fileName of ['opsdesk/event-bus.json', 'opsdesk/platform-overview.json']) {
  test(`dashboard ${fileName} is provisioned and opens`, async ({
    readProvisionedDashboard,
    gotoDashboardPage,
    page,
  }) => {
    const dashboard = await readProvisionedDashboard({ fileName });
    await expect(await page.request.get(`/api/dashboards/uid/${dashboard.uid}`)).toBeOK();
    await gotoDashboardPage({ uid: dashboard.uid });
    await expect(page.getByText(dashboard.title ?? '', { exact: true }).first()).toBeVisible();
  });
}

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

// plugin.json includes the same dashboards (same uids) that provisioning/ loads, so installing the app alone brings
// them: Grafana must end up with one dashboard per uid, not a copy under another uid or a failed import.
test('the dashboards both provisioned and included in the app exist once each', async ({
  readProvisionedDashboard,
  page,
}) => {
  const included = await (await page.request.get(`/api/plugins/${PLUGIN_ID}/dashboards`)).json();
  const includedTitles = (included as Array<{ title: string }>).map((dashboard) => dashboard.title);
  for (const fileName of ['opsdesk/event-bus.json', 'opsdesk/platform-overview.json']) {
    const dashboard = await readProvisionedDashboard({ fileName });
    expect(includedTitles).toContain(dashboard.title);
    const found = await (
      await page.request.get('/api/search', { params: { type: 'dash-db', query: dashboard.title ?? '' } })
    ).json();
    const sameTitle = (found as Array<{ uid: string; title: string }>).filter((hit) => hit.title === dashboard.title);
    expect(sameTitle.map((hit) => hit.uid)).toEqual([dashboard.uid]);
  }
});
