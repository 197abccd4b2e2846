import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { dirname } from 'node:path';

import { USERS } from './tests/e2e/fixtures';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
const adminState = 'playwright/.auth/admin.json';

// Specs that change what every other spec depends on run after the others, each project alone:
// *.settings.spec.ts rewrites the app's settings, *.outage.spec.ts pauses and stops the event bus.
const SETTINGS_SPECS = /\.settings\.spec\.ts$/;
const OUTAGE_SPECS = /\.outage\.spec\.ts$/;

/**
 * The Playwright specs run against the compose stack (`docker compose up`), see README.md.
 * https://playwright.dev/docs/test-configuration
 */
export default defineConfig<PluginOptions>({
  testDir: './tests/e2e',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // One retry on CI: the stack is real and a dashboard refresh can land mid-step; more would outlast the job.
  retries: process.env.CI ? 1 : 0,
  // The DLQ alert takes minutes to fire while other specs run beside the ones waiting for it.
  workers: process.env.CI ? 3 : undefined,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'html',
  use: {
    baseURL: process.env.GRAFANA_URL || 'http://localhost:3000',
    trace: 'on-first-retry',
  },

  projects: [
    // Sign in to Grafana as admin, and create and sign in the Editor and the Viewer; each stores its cookie state.
    {
      name: 'auth',
      testDir: pluginE2eAuth,
      testMatch: [/.*\.js/],
    },
    {
      name: 'auth-editor',
      testDir: pluginE2eAuth,
      testMatch: [/.*\.js/],
      use: { user: USERS.editor },
    },
    {
      name: 'auth-viewer',
      testDir: pluginE2eAuth,
      testMatch: [/.*\.js/],
      use: { user: USERS.viewer },
    },
    // Every spec starts as admin unless its file says otherwise (test.use({ storageState })).
    {
      name: 'chromium',
      testMatch: /.*\.spec\.ts$/,
      testIgnore: [SETTINGS_SPECS, OUTAGE_SPECS],
      use: { ...devices['Desktop Chrome'], storageState: adminState },
      dependencies: ['auth', 'auth-editor', 'auth-viewer'],
    },
    // Dependencies run only when the projects before them passed: a failure above skips these.
    {
      name: 'settings',
      testMatch: SETTINGS_SPECS,
      fullyParallel: false,
      use: { ...devices['Desktop Chrome'], storageState: adminState },
      dependencies: ['chromium'],
    },
    {
      name: 'outage',
      testMatch: OUTAGE_SPECS,
      fullyParallel: false,
      use: { ...devices['Desktop Chrome'], storageState: adminState },
      dependencies: ['settings'],
    },
  ],
});
