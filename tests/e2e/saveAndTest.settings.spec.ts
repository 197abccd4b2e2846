import { Page } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import { EVENT_BUS, PLUGIN_ID, PROXY, restoreAppSettings, test, expect } from './fixtures';

// The configuration page's Save & test against the real service, and how Grafana stores the token. These change
// the app's settings that every other spec reads through: playwright.config.ts runs this file in its own project,
// after the others, one test at a time, and each test puts the provisioned settings back.
test.describe.configure({ mode: 'default' });

test.afterEach(async ({ page }) => {
  await restoreAppSettings(page.request);
});

async function saveAndTest(page: Page, settings: { url: string; token?: string }) {
  await page.getByTestId(testIds.appConfig.eventBusUrl).fill(settings.url);
  if (settings.token !== undefined) {
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByTestId(testIds.appConfig.eventBusToken).fill(settings.token);
  }
  await page.getByRole('button', { name: 'Save & test' }).click();
  return page.getByTestId(testIds.appConfig.testResult);
}

async function storedSettings(page: Page) {
  const response = await page.request.get(`/api/plugins/${PLUGIN_ID}/settings`);
  expect(response.ok()).toBe(true);
  return { text: await response.text(), json: await response.json() };
}

test('Save & test with the service token reaches the event bus', async ({ appConfigPage, page }) => {
  const result = await saveAndTest(page, { url: EVENT_BUS.url, token: EVENT_BUS.token });

  await expect(result).toContainText(/The event bus is reachable (and healthy|but degraded)/);
  await expect(appConfigPage.ctx.page.getByTestId(testIds.appConfig.saveResult)).toHaveCount(0);
});

test('Save & test with a wrong token says the event bus rejected it', async ({ appConfigPage }) => {
  const result = await saveAndTest(appConfigPage.ctx.page, { url: EVENT_BUS.url, token: 'not-the-service-token-0000' });

  await expect(result).toContainText('The event bus rejected the token (401)');
});

test('Save & test with an unreachable URL says Grafana could not reach it', async ({ appConfigPage }) => {
  const result = await saveAndTest(appConfigPage.ctx.page, { url: 'http://event-bus-missing.invalid:8080' });

  await expect(result).toContainText('Grafana could not reach the event bus (502)');
});

test('the token never reaches the browser, survives a save without it, and Reset clears it', async ({
  appConfigPage,
  page,
}) => {
  const stored = await storedSettings(page);
  expect(stored.json.secureJsonFields?.eventBusToken).toBe(true);
  expect(stored.text).not.toContain(EVENT_BUS.token);

  // Saving the URL alone sends no secureJsonData: the stored token still authenticates the proxy.
  await expect(await saveAndTest(page, { url: EVENT_BUS.url })).toContainText(/The event bus is reachable/);
  expect((await storedSettings(page)).json.secureJsonFields?.eventBusToken).toBe(true);

  await page.getByRole('button', { name: 'Reset' }).click();
  const saved = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(saved).toBeOK();
  await expect(page.getByTestId(testIds.appConfig.saveResult)).toContainText('Settings saved');

  expect((await storedSettings(page)).json.secureJsonFields?.eventBusToken ?? false).toBe(false);
  expect((await page.request.get(`${PROXY}/health`)).status()).toBe(401);
  await page.reload();
  await expect(page.getByTestId(testIds.appConfig.eventBusUrl)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reset' })).toHaveCount(0);
});
