import { test, expect } from './fixtures';
import { ROUTES } from '../../src/constants';
import { testIds } from '../../src/components/testIds';

test('the runbook index is the app home and searches as you type', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Runbooks}`);

  await page.getByTestId(testIds.index.search).fill('dlq');
  await expect(page.getByTestId(testIds.index.result)).toHaveCount(1);
  await expect(page.getByTestId(testIds.index.escalation)).toBeVisible();
});

test('a runbook page shows its header, procedure and table of contents', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Runbooks}/troubleshooting/auth-failures`);

  await expect(page.getByTestId(testIds.runbook.header)).toBeVisible();
  await expect(page.getByTestId(testIds.runbook.markdown)).toBeVisible();
  await expect(page.getByTestId(testIds.runbook.toc).getByRole('link', { name: 'Procedure' })).toBeVisible();
});

test('an unknown runbook shows the not-found state', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Runbooks}/no-such-runbook`);

  await expect(page.getByTestId(testIds.runbook.notFound)).toBeVisible();
});

test('the status page says whether the event bus is configured and reachable', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Status}`);

  await expect(page.getByTestId(testIds.statusPage.result)).toBeVisible();
});
