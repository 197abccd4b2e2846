import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { testIds } from '../../src/components/testIds';
import { ALERT_WAIT_MS, DLQ_ALERT, PLUGIN_ID, test, expect, waitForFiringAlert } from './fixtures';

// From a firing alert to its runbook, the two ways Grafana offers: the rule's "View runbook" link (its runbook_url
// annotation) and the "Open runbook" action this app adds to each alert instance (extension point
// grafana/alerting/instance/action). Both wait for the compose stack's demo workload to make the DLQ alert fire.

function dlqRuleUid(): string {
  const file = path.resolve(__dirname, '../..', 'provisioning', 'alerting', 'opsdesk-alert-rules.yaml');
  const doc = parse(fs.readFileSync(file, 'utf8'));
  const rules: Array<{ uid: string; title: string }> = doc.groups.flatMap((group: { rules: unknown[] }) => group.rules);
  return rules.find((rule) => rule.title === DLQ_ALERT)!.uid;
}

test.describe('from the firing DLQ alert', () => {
  // No retry: once the alert fires each test is quick, and when it never fires a retry would only wait again.
  test.describe.configure({ timeout: ALERT_WAIT_MS, retries: 0 });

  test('the rule page\'s "View runbook" opens the DLQ runbook naming the alert', async ({ page, context }) => {
    await waitForFiringAlert(page.request, DLQ_ALERT);
    await page.goto(`/alerting/grafana/${dlqRuleUid()}/view`);

    const link = page.getByRole('link', { name: /runbook/i }).first();
    await expect(link).toHaveAttribute(
      'href',
      new RegExp(`/a/${PLUGIN_ID}/runbooks/dlq-management\\?alertname=${DLQ_ALERT}`)
    );
    // Grafana opens runbook links in a new tab (older versions in the same one).
    const opened = context.waitForEvent('page', { timeout: 15_000 }).catch(() => page);
    await link.click();
    const runbook = await opened;

    const banner = runbook.getByTestId(testIds.runbook.alertContext);
    await expect(banner).toContainText(`Opened from alert ${DLQ_ALERT}`);
    await expect(runbook.getByTestId(testIds.runbook.header)).toBeVisible();
    // The rule-level annotation is the template itself; the banner must never show it as if it were a label.
    await expect(banner).not.toContainText('{{');
  });

  test("each instance's rendered runbook link carries its stream into the banner", async ({ page }) => {
    const [instance] = await waitForFiringAlert(page.request, DLQ_ALERT);

    await page.goto(instance.annotations.runbook_url);

    const banner = page.getByTestId(testIds.runbook.alertContext);
    await expect(banner).toContainText(`Opened from alert ${DLQ_ALERT}`);
    await expect(banner.getByText(`stream=${instance.labels.stream}`, { exact: true })).toBeVisible();
  });

  test('the "Open runbook" instance action opens the DLQ runbook with the instance\'s labels', async ({ page }) => {
    const firing = await waitForFiringAlert(page.request, DLQ_ALERT);
    const streams = firing.map((instance) => instance.labels.stream);
    await page.goto(`/alerting/grafana/${dlqRuleUid()}/view`);
    await page.getByRole('tab', { name: /Instances/ }).click();

    // The instances table lists one row per stream; the app's link sits in the row's action menu.
    const row = page.getByRole('row').filter({ hasText: streams[0] }).first();
    await expect(row).toBeVisible({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Open runbook' }).click();

    // Grafana asks whether to open the link here or in a new tab.
    const openHere = page.getByRole('dialog').getByRole('button', { name: 'Open', exact: true });
    const banner = page.getByTestId(testIds.runbook.alertContext);
    await expect(openHere.or(banner)).toBeVisible();
    if (await openHere.isVisible()) {
      await openHere.click();
    }

    await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/runbooks/dlq-management\\?`));
    await expect(banner).toContainText(`Opened from alert ${DLQ_ALERT}`);
    await expect(banner.getByText(`stream=${streams[0]}`, { exact: true })).toBeVisible();
    await expect(page.getByTestId(testIds.runbook.markdown)).toBeVisible();
  });
});
