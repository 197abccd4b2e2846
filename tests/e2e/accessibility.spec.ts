import { Locator, Page } from '@playwright/test';
import { AxeScanContext, E2ESelectorGroups, PluginFixture, resolveGrafanaSelector } from '@grafana/plugin-e2e';

import { testIds } from '../../src/components/testIds';
import { ROUTES } from '../../src/constants';
import { EVENT_BUS_DASHBOARD, canEmbed, readHealth, test, expect } from './fixtures';

// Accessibility in a real Grafana (issue 22): the pages the harness journeys scan, each in the light and the dark
// theme, scanned by axe-core through plugin-e2e's `scanForA11yViolations` fixture and judged by its
// `toHaveNoA11yViolations` matcher. A scan covers the plugin's own DOM: an app page's main content, or the panel's
// container. Nothing here changes the DLQ: the confirm dialog is opened, scanned and cancelled.
//
// Grafana serves a page in the theme that `?theme=` names, ahead of the user's preference: pkg/api/index.go,
// setIndexViewData (`c.Query("theme")` sets `User.LightTheme` @ c68d7f1e; later versions read it in `getURLPrefs`
// and let any valid theme ID win in `getThemeForIndexData`, index copy). The theme applies to the page load, so each
// test loads its page with the parameter, and checks the theme Grafana reports before it scans.

type Theme = 'light' | 'dark';
const THEMES: Theme[] = ['light', 'dark'];

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// The fixture hands `options` to AxeBuilder.options(), which replaces its run options, the fixture's default tags
// (WCAG 2.0 and 2.1 only) included: so the tags are all named here. landmark-unique is an axe best practice, under
// none of those tags, so it is turned on by name.
const AXE_OPTIONS: AxeScanContext['options'] = {
  runOnly: { type: 'tag', values: WCAG_TAGS },
  rules: { 'landmark-unique': { enabled: true } },
};

/** What fails a scan: a serious or critical violation. */
const FAILING_IMPACTS = ['serious', 'critical'];
/** Fails whatever its impact: axe rates landmark-unique moderate, but two landmarks with one name is an issue 22 bug. */
const ALWAYS_FAILING_RULES = ['landmark-unique'];

/**
 * One violation Grafana draws and the plugin cannot change: one rule, on one element, in one theme. plugin-e2e's own
 * knobs are coarser (`ignoredRules` drops a rule from the whole scan, `exclude` every rule on an element, `threshold`
 * only counts), so the scan's results are trimmed of exactly these before the matcher reads them.
 */
interface KnownException {
  /** The axe rule ID. */
  rule: string;
  theme: Theme;
  /** The element, as a CSS selector, from the selectors of the Grafana version under test. */
  element: (selectors: E2ESelectorGroups) => string;
  /** The upstream component that draws it. */
  upstream: string;
  why: string;
}

const KNOWN_EXCEPTIONS: KnownException[] = [
  {
    // color-contrast on the confirm button of the DLQ panel's confirm dialog ("Retry N"), dark theme only.
    rule: 'color-contrast',
    theme: 'dark',
    element: (selectors) => resolveGrafanaSelector(selectors.pages.ConfirmModal.delete),
    upstream: '@grafana/ui ConfirmModal: the confirm Button (variant primary) of its ConfirmContent',
    why:
      'ConfirmContent focuses its confirm button when the dialog opens, and Button draws a focused solid button on ' +
      'theme.colors.primary.shade: white on rgb(90, 134, 222) in the dark theme, 3.55:1 where WCAG 1.4.3 asks for ' +
      '4.5:1 (4.61:1 unfocused, 6.56:1 focused in the light theme; @grafana/data 13.1.1 createTheme). The colours ' +
      "are Grafana's; the plugin sets the label.",
  },
];

/** A test ID as the CSS selector axe takes (`include` and `exclude` take CSS, not a Playwright Locator). */
function byTestId(testId: string): string {
  return `[data-testid="${testId}"]`;
}

/**
 * Grafana's main landmark, which holds an app page: the header Grafana draws from the app's `PluginPage` props, and
 * the app's own content (`<main id="pageContent">` in public/app/core/components/AppChrome/AppChrome.tsx @ d85ee24f).
 */
const APP_PAGE = '#pageContent';
const DLQ_PANEL = byTestId(testIds.dlqPanel.container);
/** The confirm dialog, which @grafana/ui draws in a portal outside the panel. */
const DIALOG = '[role="dialog"]';

interface Scope {
  /** What to scan: a CSS selector, or several in one list (`a, b`). */
  include: string;
  /** What to leave out of it; an element of `include` inside an excluded one is scanned again (the nearer wins). */
  exclude?: string;
}

type ScanFixtures = Pick<PluginFixture, 'scanForA11yViolations' | 'selectors'> & { page: Page };
type Violation = Awaited<ReturnType<PluginFixture['scanForA11yViolations']>>['violations'][number];

/**
 * Scans `scope` in the page as it is now, after checking that Grafana drew it in `theme`. Fails on serious and
 * critical violations and on landmark-unique, less the known exceptions of that theme. The fixture attaches every
 * scan's full results (every impact) to the test report as `axe-<n>`.
 */
async function expectAccessible({ page, scanForA11yViolations, selectors }: ScanFixtures, theme: Theme, scope: Scope) {
  expect(await isLightTheme(page), `Grafana drew the page in the ${theme} theme`).toBe(theme === 'light');
  await expect(page.locator(scope.include).first()).toBeVisible();

  const results = await scanForA11yViolations({ ...scope, options: AXE_OPTIONS });
  const failing = results.violations.filter(
    (violation) => ALWAYS_FAILING_RULES.includes(violation.id) || FAILING_IMPACTS.includes(violation.impact ?? '')
  );
  const violations = await withoutKnownExceptions(page, failing, theme, selectors);
  expect({ ...results, violations }).toHaveNoA11yViolations({ threshold: 0 });
}

/** Drops the elements a known exception covers; the rule's other elements still fail. */
async function withoutKnownExceptions(
  page: Page,
  violations: Violation[],
  theme: Theme,
  selectors: E2ESelectorGroups
): Promise<Violation[]> {
  const kept: Violation[] = [];
  for (const violation of violations) {
    const exceptions = KNOWN_EXCEPTIONS.filter(
      (exception) => exception.rule === violation.id && exception.theme === theme
    );
    const nodes: Violation['nodes'] = [];
    for (const node of violation.nodes) {
      const exception = await exceptionCovering(page, node.target, exceptions, selectors);
      if (exception) {
        test.info().annotations.push({
          type: 'known a11y exception',
          description: `${exception.rule} on ${exception.upstream}: ${exception.why}`,
        });
      } else {
        nodes.push(node);
      }
    }
    if (nodes.length > 0) {
      kept.push({ ...violation, nodes });
    }
  }
  return kept;
}

/** The exception whose element axe reported, if any. An element in a frame or a shadow root is never one. */
async function exceptionCovering(
  page: Page,
  target: Violation['nodes'][number]['target'],
  exceptions: KnownException[],
  selectors: E2ESelectorGroups
): Promise<KnownException | undefined> {
  const [found, ...deeper] = target;
  if (typeof found !== 'string' || deeper.length > 0) {
    return undefined;
  }
  for (const exception of exceptions) {
    const element = exception.element(selectors);
    const covered = await page.evaluate(
      ([reported, excepted]) => document.querySelector(reported)?.matches(excepted) ?? false,
      [found, element]
    );
    if (covered) {
      return exception;
    }
  }
  return undefined;
}

/** Whether Grafana drew the page in its light theme, as its boot data says (index.go sets `User.LightTheme`). */
async function isLightTheme(page: Page): Promise<boolean> {
  return page.evaluate(
    () => (window as unknown as { grafanaBootData: { user: { lightTheme: boolean } } }).grafanaBootData.user.lightTheme
  );
}

/** An app path with `theme` added to its query. */
function inTheme(path: string, theme: Theme): string {
  const [pathname, query] = path.split('?');
  const params = new URLSearchParams(query);
  params.set('theme', theme);
  return `${pathname}?${params}`;
}

/** Waits until each live block on the page has read the DLQ's health. */
async function expectLiveBlocksRead(page: Page) {
  const blocks = page.getByTestId(testIds.runbook.liveBlock);
  await expect(blocks).not.toHaveCount(0);
  for (const block of await blocks.all()) {
    await expect(block.getByTestId(testIds.dlqPanel.status)).toBeVisible({ timeout: 30_000 });
  }
}

type DashboardFixtures = Pick<PluginFixture, 'gotoDashboardPage'> & { page: Page };

/**
 * Opens the Event bus dashboard in `theme` once the demo workload has dead-lettered something (so the panel has
 * failure groups, entries and a "Retry all"), and returns its DLQ panel when it shows the event bus's status.
 */
async function openDlqPanel({ page, gotoDashboardPage }: DashboardFixtures, theme: Theme): Promise<Locator> {
  await expect
    .poll(async () => (await readHealth(page.request)).dlq?.length ?? 0, {
      message: 'entries in the DLQ',
      timeout: 120_000,
      intervals: [2_000],
    })
    .toBeGreaterThan(0);
  await gotoDashboardPage({ uid: EVENT_BUS_DASHBOARD.uid, queryParams: new URLSearchParams({ theme }) });
  const panel = page.getByTestId(testIds.dlqPanel.container);
  await expect(panel.getByTestId(testIds.dlqPanel.status)).toBeVisible({ timeout: 30_000 });
  return panel;
}

/** Shows one of the panel's views and waits until it has read what it lists. */
async function showView(panel: Locator, view: 'Failures' | 'Entries') {
  await panel.getByRole('radio', { name: view, exact: true }).check({ force: true });
  const content = panel.getByTestId(view === 'Failures' ? testIds.dlqPanel.failures : testIds.dlqPanel.entries);
  await expect(content).toBeVisible();
  await expect(content).not.toHaveAttribute('aria-busy', 'true');
}

for (const theme of THEMES) {
  test(`the runbook index, ${theme} theme`, async ({ gotoPage, page, scanForA11yViolations, selectors }) => {
    await gotoPage(inTheme(`/${ROUTES.Runbooks}`, theme));
    await expect(page.getByTestId(testIds.index.result).first()).toBeVisible();
    await expect(page.getByTestId(testIds.index.escalation)).toBeVisible();

    await expectAccessible({ page, scanForA11yViolations, selectors }, theme, { include: APP_PAGE });
  });

  test(`the DLQ runbook, ${theme} theme`, async ({ gotoPage, page, scanForA11yViolations, selectors }) => {
    await gotoPage(inTheme(`/${ROUTES.Runbooks}/dlq-management`, theme));
    await expect(page.getByTestId(testIds.runbook.markdown)).toBeVisible();
    await expect(page.getByTestId(testIds.runbook.toc)).toBeVisible();
    await expectLiveBlocksRead(page);

    await expectAccessible({ page, scanForA11yViolations, selectors }, theme, { include: APP_PAGE });
  });

  test(`the DLQ runbook beside its dashboard, ${theme} theme`, async ({
    gotoPage,
    grafanaVersion,
    page,
    scanForA11yViolations,
    selectors,
  }) => {
    const path = `/${ROUTES.Runbooks}/dlq-management/${ROUTES.Beside}?dashboard=${EVENT_BUS_DASHBOARD.uid}`;
    await gotoPage(inTheme(path, theme));
    await expect(page.getByTestId(testIds.runbook.markdown)).toBeVisible();
    await expectLiveBlocksRead(page);

    if (!canEmbed(grafanaVersion)) {
      await expect(page.getByTestId(testIds.beside.fallback)).toBeVisible();
      await expectAccessible({ page, scanForA11yViolations, selectors }, theme, { include: APP_PAGE });
      return;
    }
    // The dashboard pane is Grafana's dashboard (EmbeddedDashboard) but for the app's DLQ panel in it: the pane is
    // left out and the panel scanned again. (The pane's own notices and dashboard picker, absent for this URL.)
    const dashboardPane = byTestId(testIds.beside.dashboard);
    await expect(page.getByTestId(testIds.beside.dashboard).getByTestId(testIds.dlqPanel.status)).toBeVisible({
      timeout: 30_000,
    });
    await expectAccessible({ page, scanForA11yViolations, selectors }, theme, {
      include: `${APP_PAGE}, ${dashboardPane} ${DLQ_PANEL}`,
      exclude: dashboardPane,
    });
  });

  test(`the DLQ panel on the Event bus dashboard, both views, ${theme} theme`, async ({
    gotoDashboardPage,
    page,
    scanForA11yViolations,
    selectors,
  }) => {
    const panel = await openDlqPanel({ page, gotoDashboardPage }, theme);

    for (const view of ['Failures', 'Entries'] as const) {
      await showView(panel, view);
      await expectAccessible({ page, scanForA11yViolations, selectors }, theme, { include: DLQ_PANEL });
    }
  });

  test(`the DLQ panel with its confirm dialog open, ${theme} theme`, async ({
    gotoDashboardPage,
    page,
    scanForA11yViolations,
    selectors,
  }) => {
    const panel = await openDlqPanel({ page, gotoDashboardPage }, theme);
    await showView(panel, 'Entries');
    const retryAll = panel.getByRole('button', { name: /^Retry all / });
    await expect(retryAll).toBeEnabled();
    await retryAll.click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('button', { name: /^Retry \d+$/ })).toBeVisible();

    await expectAccessible({ page, scanForA11yViolations, selectors }, theme, { include: `${DLQ_PANEL}, ${DIALOG}` });

    // Cancelled, never confirmed.
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();
  });
}
