import { Locator, Page } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import {
  EVENT_BUS_DASHBOARD,
  PROXY,
  USERS,
  readDlq,
  readHealth,
  storageStateOf,
  test,
  expect,
  waitForDlqEntries,
} from './fixtures';

// The DLQ health panel on the provisioned Event bus dashboard, against the real service the demo workload fills:
// who may retry and purge, what the confirmation says, what the service then holds, and the audit annotation.
// Each test works on its own origin stream. They run one after another in one worker: the service runs one
// mutation at a time and answers 409 to a second.
test.describe.configure({ mode: 'default' });

interface MutationResponse {
  operationId: string;
  outcome: string;
  retried?: number;
  purged?: number;
}

interface Annotation {
  text: string;
  tags: string[];
}

type DashboardFixtures = {
  page: Page;
  gotoDashboardPage: (args: { uid: string }) => Promise<unknown>;
};

/** Opens the Event bus dashboard and waits for its DLQ panel to show the event bus's status. */
async function openPanel({ page, gotoDashboardPage }: DashboardFixtures) {
  const dashboard = EVENT_BUS_DASHBOARD;
  await gotoDashboardPage({ uid: dashboard.uid });
  const panel = page.getByTestId(testIds.dlqPanel.container);
  await expect(panel.getByTestId(testIds.dlqPanel.status)).toBeVisible({ timeout: 30_000 });
  return { dashboard, panel };
}

interface SelectComponents {
  select: { within: (root: Locator) => { selectOption: (value: string) => Promise<string> } };
}

/**
 * Filters the panel to one origin stream and returns the selection checkboxes of its first page, once that page is
 * the stream's (its first row is the stream's oldest entry as the service lists it).
 */
async function showStream(page: Page, panel: Locator, components: SelectComponents, stream: string) {
  await components.select.within(panel).selectOption(stream);
  const oldest = (await readDlq(page.request, { stream, limit: 1 })).entries[0].id;
  const rows = panel.getByRole('checkbox', { name: /^Select entry / });
  await expect(rows.first()).toHaveAttribute('aria-label', `Select entry ${oldest}`);
  return rows;
}

function idOf(label: string | null): string {
  return (label ?? '').replace(/^Select entry /, '');
}

/** The dashboard's DLQ annotations of one action since `since`, as Grafana's API lists them. */
async function annotationsSince(
  page: Page,
  dashboardUID: string,
  action: string,
  since: number
): Promise<Annotation[]> {
  const response = await page.request.get('/api/annotations', {
    params: { dashboardUID, type: 'annotation', from: since, to: Date.now() + 60_000, limit: 200 },
  });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as Annotation[]).filter(
    (annotation) => annotation.tags?.includes('dlq') && annotation.tags.includes(action)
  );
}

test.describe('as an Editor', () => {
  test.use({ storageState: storageStateOf(USERS.editor) });

  test('retries the entries shown, confirmed, and the service no longer holds them', async ({
    gotoDashboardPage,
    components,
    page,
  }) => {
    const stream = '{events}:orders';
    const since = Date.now();
    await waitForDlqEntries(page.request, stream, 10);
    const { dashboard, panel } = await openPanel({ page, gotoDashboardPage });
    await expect(panel.getByRole('button', { name: /^Purge/ })).toHaveCount(0);

    const rows = await showStream(page, panel, components, stream);
    await panel.getByRole('checkbox', { name: 'Select every entry on this page' }).check({ force: true });
    const ids = (await rows.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label')))).map(idOf);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    const depthBefore = (await readHealth(page.request)).dlq?.byStream?.[stream] ?? 0;

    await panel.getByRole('button', { name: `Retry selected (${ids.length})` }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(`Retry ${ids.length} selected entries of ${stream}`);
    const answer = page.waitForResponse(
      (response) => response.url().includes(`${PROXY}/dlq/retry`) && response.request().method() === 'POST'
    );
    await dialog.getByRole('button', { name: `Retry ${ids.length}`, exact: true }).click();
    const retry: MutationResponse = await (await answer).json();
    expect(retry).toMatchObject({ outcome: 'ok', retried: ids.length });

    const result = panel.getByTestId(testIds.dlqPanel.result);
    await expect(result).toContainText(`${ids.length} retried, 0 skipped`);
    await expect(result).toContainText("Marked on the dashboard's graphs as an annotation.");

    // The service: those entries left the DLQ (failures that come back get new IDs), and its depth dropped.
    const after = await readDlq(page.request, { stream, limit: 500 });
    expect(after.entries.map((entry) => entry.id).filter((id) => ids.includes(id))).toEqual([]);
    expect((await readHealth(page.request)).dlq?.byStream?.[stream] ?? 0).toBeLessThan(depthBefore);

    // X-Grafana-Context reached the service: it recorded the Grafana user as the operation's actor.
    const operation = await page.request.get(`${PROXY}/dlq/operations/${retry.operationId}`);
    expect(operation.status()).toBe(200);
    expect(await operation.json()).toMatchObject({ action: 'retry', actor: USERS.editor.user });

    await expect
      .poll(async () => annotationsSince(page, dashboard.uid, 'retry', since))
      .toContainEqual(
        expect.objectContaining({
          tags: expect.arrayContaining(['dlq', 'retry', stream]),
          text: expect.stringContaining(`DLQ retry by ${USERS.editor.user}`),
        })
      );
  });
});

test.describe('as a Viewer', () => {
  test.use({ storageState: storageStateOf(USERS.viewer) });

  test('sees a read-only panel, and the proxy refuses a retry or purge posted by hand', async ({
    gotoDashboardPage,
    page,
  }) => {
    const { panel } = await openPanel({ page, gotoDashboardPage });

    await expect(panel.getByTestId(testIds.dlqPanel.readOnly)).toBeVisible();
    await expect(panel.getByRole('button', { name: /^(Retry|Purge)/ })).toHaveCount(0);
    await expect(panel.getByRole('checkbox')).toHaveCount(0);

    for (const action of ['retry', 'purge']) {
      const response = await page.request.post(`${PROXY}/dlq/${action}`, {
        data: action === 'purge' ? { confirm: 'purge', ids: ['1-0'] } : { ids: ['1-0'] },
      });
      expect(response.status(), action).toBe(403);
      expect((await response.json()).message).toBe('plugin proxy route access denied');
    }
  });
});

test.describe('as an Admin', () => {
  test('purges a selected entry after typing the confirmation', async ({ gotoDashboardPage, components, page }) => {
    const stream = '{events}:payments';
    const since = Date.now();
    await waitForDlqEntries(page.request, stream, 2);
    const { dashboard, panel } = await openPanel({ page, gotoDashboardPage });

    const rows = await showStream(page, panel, components, stream);
    const id = idOf(await rows.first().getAttribute('aria-label'));
    await rows.first().check({ force: true });

    await panel.getByRole('button', { name: 'Purge selected (1)' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(`Purge 1 selected entry of ${stream}`);
    const confirm = dialog.getByRole('button', { name: 'Purge 1', exact: true });
    await expect(confirm).toBeDisabled();
    await dialog.getByRole('textbox').fill('purge');
    await expect(confirm).toBeEnabled();
    await confirm.click();

    await expect(panel.getByTestId(testIds.dlqPanel.result)).toContainText('1 purged, 0 skipped');
    const after = await readDlq(page.request, { stream, limit: 500 });
    expect(after.entries.map((entry) => entry.id)).not.toContain(id);
    await expect
      .poll(async () => annotationsSince(page, dashboard.uid, 'purge', since))
      .toContainEqual(expect.objectContaining({ tags: expect.arrayContaining(['dlq', 'purge', stream]) }));
  });
});
