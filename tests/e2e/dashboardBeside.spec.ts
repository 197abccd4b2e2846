import { testIds } from '../../src/components/testIds';
import { EVENT_BUS_DASHBOARD, PLUGIN_ID, canEmbed, test, expect } from './fixtures';

// The runbook beside its dashboard: reached from a panel's menu (extension point grafana/dashboard/panel/menu), with
// the dashboard's time range carried in the URL, and a divider the operator can move.

const BESIDE_PATH = `/a/${PLUGIN_ID}/runbooks/dlq-management/beside`;

test('"Open runbook beside" in a panel menu opens the runbook beside the dashboard with its time range', async ({
  gotoDashboardPage,
  grafanaVersion,
  page,
}) => {
  const dashboard = EVENT_BUS_DASHBOARD;
  const dashboardPage = await gotoDashboardPage({
    uid: dashboard.uid,
    queryParams: new URLSearchParams({ from: 'now-3h', to: 'now' }),
  });

  await dashboardPage
    .getPanelByTitle('DLQ depth by stream')
    .clickOnMenuItem('Open runbook beside', { parentItem: 'Extensions' });

  await expect(page).toHaveURL((url) => url.pathname === BESIDE_PATH);
  const params = () => new URL(page.url()).searchParams;
  expect(params().get('dashboard')).toBe(dashboard.uid);
  expect(params().get('from')).toBe('now-3h');
  expect(params().get('to')).toBe('now');
  await expect(page.getByTestId(testIds.beside.container)).toBeVisible();
  await expect(page.getByTestId(testIds.runbook.markdown)).toBeVisible();

  const besideDashboard = page.getByTestId(testIds.beside.dashboard);
  if (canEmbed(grafanaVersion)) {
    await expect(besideDashboard.getByText('DLQ depth by stream').first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId(testIds.beside.fallback)).toHaveCount(0);
  } else {
    await expect(page.getByTestId(testIds.beside.fallback).getByRole('link')).toHaveAttribute(
      'href',
      new RegExp(`/d/${dashboard.uid}\\?.*from=now-3h`)
    );
  }
  // The embedded dashboard reports its state back into the URL: the range must survive that round trip.
  await expect.poll(() => params().get('from')).toBe('now-3h');
  await expect.poll(() => params().get('to')).toBe('now');
});

test('the divider moves with the keyboard and the split is remembered', async ({ gotoPage, page }) => {
  const dashboard = EVENT_BUS_DASHBOARD;
  await gotoPage(`/runbooks/dlq-management/beside?dashboard=${dashboard.uid}&from=now-1h&to=now`);

  // The splitter is a direct child of the beside container; the embedded dashboard may have separators of its own.
  const divider = page.getByTestId(testIds.beside.container).locator(':scope > [role="separator"]');
  await expect(divider).toBeVisible();
  const dividerX = async () => (await divider.boundingBox())?.x ?? 0;
  const start = await dividerX();

  await divider.focus();
  await page.keyboard.down('ArrowRight');
  await expect.poll(dividerX).toBeGreaterThan(start + 60);
  await page.keyboard.up('ArrowRight');
  const moved = await dividerX();

  await page.reload();
  await expect(divider).toBeVisible();
  await expect.poll(async () => Math.abs((await dividerX()) - moved)).toBeLessThan(8);
});
