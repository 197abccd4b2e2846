import { test, expect } from './fixtures';
import { ROUTES } from '../src/constants';
import { testIds } from '../src/components/testIds';

test('the status page says whether the event bus is configured and reachable', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Status}`);

  await expect(page.getByTestId(testIds.statusPage.result)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Check again' })).toBeVisible();
});

test('an unknown path in the app opens the status page', async ({ gotoPage, page }) => {
  await gotoPage('/no-such-page');

  await expect(page.getByTestId(testIds.statusPage.container)).toBeVisible();
});
