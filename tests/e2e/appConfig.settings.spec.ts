import { test, expect } from './fixtures';
import { testIds } from '../../src/components/testIds';

test('saves the event-bus settings without native form submission', async ({ appConfigPage, page }) => {
  const url = page.getByTestId(testIds.appConfig.eventBusUrl);
  await url.clear();
  await url.fill('http://event-bus:8080');

  const saveResponse = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: 'Save', exact: true }).click();

  await expect(saveResponse).toBeOK();
  await expect(page.getByTestId(testIds.appConfig.saveResult)).toContainText('Settings saved');
});

test('refuses a URL that carries credentials, which every viewer could read', async ({ appConfigPage }) => {
  const { page } = appConfigPage.ctx;
  const url = page.getByTestId(testIds.appConfig.eventBusUrl);
  await url.clear();
  await url.fill('http://admin:secret@event-bus:8080');
  await page.getByRole('button', { name: 'Save', exact: true }).click();

  await expect(page.getByText(/Remove the user name and password/)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.saveResult)).toHaveCount(0);
});
