import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { test, expect } from './fixtures';

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

test('the demo workload makes the DLQ backlog alert fire, and it links to its runbook', async ({ page }) => {
  // The rule's `for` is 5 minutes, evaluated every 30 s, after the demo's first dead letters.
  test.setTimeout(12 * 60_000);
  const rule = provisionedRules().find((r) => r.title === 'EventBusDlqBacklogGrowing')!;
  await expect
    .poll(
      async () => {
        const response = await page.request.get('/api/prometheus/grafana/api/v1/alerts');
        const alerts: Array<{ labels: Record<string, string>; state: string }> =
          (await response.json()).data?.alerts ?? [];
        return alerts.some((a) => a.labels.alertname === rule.title && a.state.toLowerCase().startsWith('alerting'));
      },
      { timeout: 11 * 60_000, intervals: [10_000] }
    )
    .toBe(true);

  await page.goto(`/alerting/grafana/${rule.uid}/view`);
  await expect(page.getByRole('link', { name: /runbook/i }).first()).toHaveAttribute(
    'href',
    /\/a\/opsdesk-runbooks-app\/runbooks\/dlq-management/
  );
});
