import React from 'react';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER, Subject, throwError } from 'rxjs';
import { EventBusSrv, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { config, FetchResponse, RefreshEvent } from '@grafana/runtime';

import { EventBusTimeoutError } from 'api/eventBus';
import { testIds } from 'components/testIds';

import { createFakeEventBus, entryAt, fail, FakeEventBus, healthOf, ok } from 'dlq/components/__fixtures__/fakeEventBus';
import { forgetSharedHealth } from 'dlq/hooks/sharedHealth';
import { DEFAULT_OPTIONS, DlqPanelOptions } from 'dlq/options';
import { DlqHealthPanel } from './DlqHealthPanel';

const fetch = jest.fn();
const publish = jest.fn();
const permissions = new Set<string>();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
  getAppEvents: () => ({ publish }),
  hasPermission: (action: string) => permissions.has(action),
}));

const READ = 'opsdesk-runbooks-app.dlq:read';
const RETRY = 'opsdesk-runbooks-app.dlq:retry';
const PURGE = 'opsdesk-runbooks-app.dlq:purge';
const ROLES = {
  viewer: [READ],
  editor: [READ, RETRY],
  admin: [READ, RETRY, PURGE],
};

interface Setup {
  size?: number;
  role?: keyof typeof ROLES;
  options?: Partial<DlqPanelOptions>;
  width?: number;
  height?: number;
  eventBus?: EventBusSrv;
  fake?: FakeEventBus;
  /** The panel runs no query (skipDataQuery): the dashboard is only known from `${__dashboard.uid}`. */
  dashboardVariable?: string;
}

function setup({ size = 7, role = 'admin', fake = createFakeEventBus(size), ...rest }: Setup = {}) {
  permissions.clear();
  ROLES[role].forEach((action) => permissions.add(action));
  fetch.mockImplementation((request) => fake.fetch(request));
  return { fake, ...renderPanel(rest) };
}

function renderPanel({
  options,
  width = 1000,
  height = 700,
  eventBus = new EventBusSrv(),
  dashboardVariable,
}: Omit<Setup, 'size' | 'role' | 'fake'>) {
  const props = {
    id: 7,
    data: {
      state: LoadingState.Done,
      series: [],
      timeRange: getDefaultTimeRange(),
      request: dashboardVariable === undefined ? { dashboardUID: 'dash-1' } : undefined,
    },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width,
    height,
    renderCounter: 0,
    title: 'DLQ',
    eventBus,
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (value: string) =>
      value === '${__dashboard.uid}' && dashboardVariable ? dashboardVariable : value,
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<DlqPanelOptions>;
  return { eventBus, ...render(<DlqHealthPanel {...props} />) };
}

async function table() {
  return within(await screen.findByTestId(testIds.dlqPanel.entries)).findByRole('table');
}

function listParams(fake: FakeEventBus) {
  return fake.requestsTo('/api/events/dlq').map((request) => request.params);
}

beforeAll(() => {
  // jsdom has no IntersectionObserver; Grafana's Select uses one for its menu.
  window.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
});

beforeEach(() => {
  forgetSharedHealth();
  Object.assign(config.bootData.user, { login: 'alice' });
});

describe('DlqHealthPanel: health at a glance', () => {
  it.each([
    ['ok', 'Event bus: Healthy'],
    ['degraded', 'Event bus: Degraded'],
    ['down', 'Event bus: Down'],
  ] as const)('shows the %s status in words, not colour alone', async (status, words) => {
    const fake = createFakeEventBus(7);
    fake.health = { ...healthOf(7), status };
    setup({ fake });

    const badge = await screen.findByTestId(testIds.dlqPanel.status);
    expect(badge).toHaveAttribute('data-status', status);
    expect(badge).toHaveTextContent(words);
  });

  it('links a down event bus to the runbook section for it and reads no entries', async () => {
    const fake = createFakeEventBus(7);
    fake.health = { ...healthOf(7), status: 'down', redis: { up: false } };
    setup({ fake });

    const problem = await screen.findByTestId(testIds.dlqPanel.problem);
    expect(within(problem).getByRole('link', { name: /when the event bus or redis is down/i })).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/dlq-management#when-the-event-bus-or-redis-is-down'
    );
    expect(fake.requestsTo('/api/events/dlq')).toHaveLength(0);
  });

  it('shows depth, oldest age, the breakdown by stream, and each group with lag null as unknown', async () => {
    setup({ size: 57 });

    const health = await screen.findByTestId(testIds.dlqPanel.health);
    expect(health).toHaveAttribute('data-layout', 'full');
    expect(health).toHaveTextContent('DLQ depth57');
    expect(health).toHaveTextContent('Oldest entry1 hour old');
    const byStream = within(health).getByRole('list', { name: 'DLQ entries by origin stream' });
    expect(
      within(byStream)
        .getAllByRole('listitem')
        .map((item) => item.textContent)
    ).toEqual(['{events}:orders: 29', '{events}:payments: 28']);
    const groups = within(health).getByRole('table', { name: 'Consumer groups' });
    const audit = within(groups).getByRole('row', { name: /order-audit/ });
    expect(
      within(audit)
        .getAllByRole('cell')
        .map((cell) => cell.textContent)
    ).toEqual(['{events}:orders', 'order-audit', 'unknown', '0', '1']);
  });

  it('turns ok into degraded past the panel thresholds, and says why', async () => {
    setup({ size: 57, options: { degradedDepth: 50, degradedOldestAgeSeconds: 600 } });

    expect(await screen.findByTestId(testIds.dlqPanel.status)).toHaveAttribute('data-status', 'degraded');
    const reasons = screen.getByRole('list', { name: 'Why the status is not ok' });
    expect(reasons).toHaveTextContent("The DLQ holds 57 entries, more than this panel's threshold of 50.");
    expect(reasons).toHaveTextContent('older than this panel');
  });

  it('uses a compact layout in a small panel: health only, no entries or actions', async () => {
    const { fake } = setup({ width: 400, height: 200 });

    expect(await screen.findByTestId(testIds.dlqPanel.health)).toHaveAttribute('data-layout', 'compact');
    expect(screen.queryByRole('table', { name: 'Consumer groups' })).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.dlqPanel.entries)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.dlqPanel.actions)).not.toBeInTheDocument();
    expect(screen.getByText(/make the panel larger/i)).toBeInTheDocument();
    expect(fake.requestsTo('/api/events/dlq')).toHaveLength(0);
  });

  it('says when the DLQ is empty', async () => {
    setup({ size: 0 });

    expect(await screen.findByText('The DLQ is empty')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.dlqPanel.health)).toHaveTextContent('Oldest entrynone');
  });

  it('links to its runbook beside this dashboard', async () => {
    setup({ options: { runbook: 'troubleshooting/performance-issues' } });

    expect(await screen.findByTestId(testIds.dlqPanel.runbookLink)).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/troubleshooting/performance-issues/beside?dashboard=dash-1'
    );
  });
});

describe('DlqHealthPanel: dashboard', () => {
  it('finds its dashboard from ${__dashboard.uid} when it runs no query', async () => {
    setup({ dashboardVariable: 'dash-2' });

    expect(await screen.findByTestId(testIds.dlqPanel.runbookLink)).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=dash-2'
    );
  });

  it('links to the runbook page itself when no dashboard is known', async () => {
    setup({ dashboardVariable: '' });

    expect(await screen.findByTestId(testIds.dlqPanel.runbookLink)).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/dlq-management'
    );
  });
});

describe('DlqHealthPanel: inspect', () => {
  it('lists entries oldest first with type, reason, attempts, age and retryOf', async () => {
    const fake = createFakeEventBus(3, {
      entry: (index) => entryAt(index, index === 2 ? { retryOf: '1764000000000-1' } : {}),
    });
    setup({ fake });

    const rows = within(await table())
      .getAllByRole('row')
      .slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('order.created');
    expect(rows[0]).toHaveTextContent('ValidationError: amount must be positive (#0)');
    expect(rows[2]).toHaveTextContent('1764000000000-1');
    expect(rows[1]).toHaveTextContent('payment.failed');
    expect(listParams(fake)[0]).toEqual({ limit: 50 });
  });

  it('pages a 100,000-entry DLQ by cursor, one page at a time, forward and back', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ size: 100_000, options: { pageSize: 10 } });

    await table();
    expect(screen.getByTestId(testIds.dlqPanel.paging)).toHaveTextContent('Page 1 · 100000 entries, oldest first');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/Page 2 ·/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/Page 3 ·/)).toBeInTheDocument();
    expect(within(await table()).getAllByRole('row')[1]).toHaveTextContent('(#20)');
    await user.click(screen.getByRole('button', { name: 'Previous' }));
    expect(await screen.findByText(/Page 2 ·/)).toBeInTheDocument();
    await waitFor(() =>
      expect(within(screen.getByRole('table', { name: '' })).getAllByRole('row')[1]).toHaveTextContent('(#10)')
    );

    expect(listParams(fake)).toEqual([
      { limit: 10 },
      { limit: 10, after: `${1764172800000 + 9}-0` },
      { limit: 10, after: `${1764172800000 + 19}-0` },
      { limit: 10, after: `${1764172800000 + 9}-0` },
    ]);
    expect(fake.largestPage).toBe(10);
    expect(screen.getByRole('button', { name: 'Retry all 100000 of all streams' })).toBeEnabled();
  });

  it('filters by stream and by text, starting again from the first page', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ options: { stream: 'orders' } });

    await table();
    expect(listParams(fake)[0]).toEqual({ limit: 50, stream: '{events}:orders' });
    expect(screen.getByTestId(testIds.dlqPanel.paging)).toHaveTextContent('4 entries of {events}:orders');

    await user.click(screen.getByRole('combobox', { name: 'Stream' }));
    await user.click(await screen.findByRole('option', { name: '{events}:payments' }));
    await waitFor(() => expect(listParams(fake).at(-1)).toEqual({ limit: 50, stream: '{events}:payments' }));

    await user.type(screen.getByRole('textbox', { name: 'Type or reason contains' }), '#5)');
    await waitFor(() => expect(listParams(fake).at(-1)).toEqual({ limit: 50, stream: '{events}:payments', q: '#5)' }));
    const rows = within(await table())
      .getAllByRole('row')
      .slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('(#5)');
  });

  it('ignores the answer of a read that a newer one superseded, and names each read for cancellation', async () => {
    const user = userEvent.setup();
    const fake = createFakeEventBus();
    const slow = new Subject<FetchResponse<unknown>>();
    setup({ fake });
    await table();
    fake.on('/api/events/dlq', (request) =>
      request.params?.stream === '{events}:orders'
        ? slow
        : ok({ total: 1, snapshotId: '1-1', entries: [entryAt(1)], nextCursor: null })
    );

    await user.click(screen.getByRole('combobox', { name: 'Stream' }));
    await user.click(await screen.findByRole('option', { name: '{events}:orders' }));
    await user.click(screen.getByRole('combobox', { name: 'Stream' }));
    await user.click(await screen.findByRole('option', { name: '{events}:payments' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: '' })).getAllByRole('row')).toHaveLength(2));
    act(() => {
      slow.next({
        data: { total: 2, snapshotId: '1-1', entries: [entryAt(0), entryAt(2)], nextCursor: null },
      } as FetchResponse<unknown>);
      slow.complete();
    });

    expect(within(await table()).getAllByRole('row')).toHaveLength(2);
    const ids = new Set(fake.requestsTo('/api/events/dlq').map((request) => request.requestId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^opsdesk-dlq-list-/);
  });

  it('shows a payload as pretty-printed text with copy, and hostile payloads stay inert', async () => {
    const user = userEvent.setup();
    const hostile = '<script>window.pwned = true</script><img src="x" onerror="window.pwned = true">';
    const fake = createFakeEventBus(2, {
      entry: (index) =>
        entryAt(index, {
          reason: `<img src=x onerror=alert(1)> reason ${index}`,
          payload: index === 0 ? JSON.stringify({ note: hostile, n: 1 }) : hostile,
        }),
    });
    const { container } = setup({ fake });

    const rows = within(await table())
      .getAllByRole('row')
      .slice(1);
    await user.click(within(rows[0]).getByRole('button', { name: /toggle row expanded/i }));
    await user.click(within(rows[1]).getByRole('button', { name: /toggle row expanded/i }));

    const payloads = await screen.findAllByTestId(testIds.dlqPanel.payload);
    expect(payloads[0].textContent).toBe(JSON.stringify({ note: hostile, n: 1 }, null, 2));
    expect(payloads[1].textContent).toBe(hostile);
    expect(screen.getAllByRole('button', { name: /copy payload/i })).toHaveLength(2);
    expect(screen.getByText(/<img src=x onerror=alert\(1\)> reason 0/)).toBeInTheDocument();
    expect(container.querySelector('script, img')).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it('says so when the entry left the DLQ before its whole payload was read, not that the event bus is down', async () => {
    const user = userEvent.setup();
    const fake = createFakeEventBus(1, {
      entry: (index) => entryAt(index, { payload: '{"a":', payloadTruncated: true, payloadBytes: 50_000 }),
    });
    fake.on('/api/events/dlq/entries', () => fail(404, { error: 'entry_not_found', message: 'gone' }));
    setup({ fake });
    const rows = within(await table())
      .getAllByRole('row')
      .slice(1);
    await user.click(within(rows[0]).getByRole('button', { name: /toggle row expanded/i }));
    await user.click(screen.getByRole('button', { name: 'Show the whole payload of 48.8 KiB' }));
    expect(await screen.findByText(/no longer in the DLQ: it was retried or purged/)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.dlqPanel.problem)).not.toBeInTheDocument();
  });

  it('reads the whole payload of one entry only when asked, and says when even that is cut', async () => {
    const user = userEvent.setup();
    const fake = createFakeEventBus(1, {
      entry: (index) =>
        entryAt(index, { payload: '{"blob":"aaaa', payloadTruncated: true, payloadBytes: 6 * 1024 * 1024 }),
    });
    let calls = 0;
    fake.on('/api/events/dlq/entries', () =>
      ++calls === 1
        ? fail(502, { message: 'Bad Gateway' })
        : ok(entryAt(0, { payload: '{"blob":"aaaaaaaa', payloadTruncated: true, payloadBytes: 6 * 1024 * 1024 }))
    );
    setup({ fake });
    const rows = within(await table())
      .getAllByRole('row')
      .slice(1);
    await user.click(within(rows[0]).getByRole('button', { name: /toggle row expanded/i }));
    expect(screen.getByText('This is the start of the payload of 6.0 MiB.')).toBeInTheDocument();
    const fullReads = () => fake.requests.filter((request) => request.url.includes('/api/events/dlq/entries/'));
    expect(fullReads()).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Show the whole payload of 6.0 MiB' }));
    expect(await screen.findByTestId(testIds.dlqPanel.problem)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /try again/i }));

    await waitFor(() => expect(screen.getByTestId(testIds.dlqPanel.payload).textContent).toBe('{"blob":"aaaaaaaa'));
    expect(
      screen.getByText('This payload of 6.0 MiB is larger than the service returns whole; the rest is in Redis.')
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /show the whole payload/i })).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.dlqPanel.problem)).not.toBeInTheDocument();
    expect(fullReads().map((request) => request.url)).toEqual(
      Array(2).fill(
        `/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/entries/${encodeURIComponent(entryAt(0).id)}`
      )
    );
  });
});

describe('DlqHealthPanel: permissions', () => {
  it('is read-only for a Viewer', async () => {
    setup({ role: 'viewer' });

    await table();
    expect(screen.getByTestId(testIds.dlqPanel.readOnly)).toHaveTextContent('Read-only');
    expect(screen.queryByRole('button', { name: /retry|purge/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });

  it('lets an Editor retry but not purge', async () => {
    setup({ role: 'editor' });

    await table();
    expect(screen.getByRole('button', { name: /retry selected/i })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /purge/i })).not.toBeInTheDocument();
  });

  it('shows purge to an Admin', async () => {
    setup({ role: 'admin' });

    await table();
    expect(screen.getByRole('button', { name: /purge selected/i })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /purge all 7/i })).toBeInTheDocument();
  });

  it('shows no actions at all when the panel option turns them off', async () => {
    setup({ role: 'admin', options: { showActions: false } });

    await table();
    expect(screen.queryByTestId(testIds.dlqPanel.actions)).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });

  it('explains a 403 from Grafana on retry instead of crashing', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/retry', () => fail(403, { message: 'plugin proxy route access denied' }));

    await table();
    await user.click(screen.getByRole('checkbox', { name: `Select entry ${entryAt(0).id}` }));
    await user.click(screen.getByRole('button', { name: /retry selected/i }));
    await user.click(await screen.findByRole('button', { name: 'Retry 1' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent('Your Grafana role may not use this event-bus action (403)');
    expect(within(result).getByRole('link', { name: /grafana 401 and 403/i })).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures#grafana-401-and-403-for-operators'
    );
    expect(fake.requestsTo('/api/annotations')).toHaveLength(0);
  });
});

async function selectAndOpen(user: ReturnType<typeof userEvent.setup>, button: RegExp, indexes: number[] = [0]) {
  await table();
  for (const index of indexes) {
    await user.click(screen.getByRole('checkbox', { name: `Select entry ${entryAt(index).id}` }));
  }
  await user.click(screen.getByRole('button', { name: button }));
  return screen.findByRole('dialog');
}

function lastBody(fake: FakeEventBus, path: string) {
  return fake.requestsTo(path).at(-1)?.data;
}

describe('DlqHealthPanel: actions', () => {
  it('retries the selected entries after a confirmation that says exactly what happens', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });

    const dialog = await selectAndOpen(user, /retry selected \(2\)/i, [0, 2]);
    expect(dialog).toHaveTextContent('Retry 2 selected entries of {events}:orders');
    expect(dialog).toHaveTextContent('Each entry is added back to its origin stream');
    expect(fake.requestsTo('/api/events/dlq/retry')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Retry 2' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent('2 retried, 0 skipped, 3 remaining in the DLQ.');
    const [retry] = fake.requestsTo('/api/events/dlq/retry');
    expect(retry).toMatchObject({
      method: 'POST',
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/retry',
      data: { ids: [entryAt(0).id, entryAt(2).id] },
      showErrorAlert: false,
    });
    expect(retry.headers?.['Idempotency-Key']).toMatch(/^dlq-[0-9a-f]{32}$/);
    expect(publish).toHaveBeenCalledWith({
      type: 'alert-success',
      payload: ['Retry 2 selected entries of {events}:orders', '2 retried, 0 skipped, 3 remaining in the DLQ.'],
    });
  });

  it('retries everything the operator looked at: the stream filter, bounded by the snapshotId', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor', options: { stream: '{events}:orders' } });
    fake.on('/api/events/dlq', () =>
      ok({ total: 120, snapshotId: '1764176400000-3', entries: [entryAt(0)], nextCursor: '1764172800000-0' })
    );

    await user.click(await screen.findByRole('button', { name: 'Read the DLQ again' }));
    await user.click(await screen.findByRole('button', { name: 'Retry all 120 of {events}:orders' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent(
      'Retry 120 entries of {events}:orders up to 1764176400000-3'
    );
    expect(dialog).toHaveTextContent('entries that arrive later are not');
    await user.click(within(dialog).getByRole('button', { name: 'Retry 120' }));

    await screen.findByTestId(testIds.dlqPanel.result);
    expect(lastBody(fake, '/api/events/dlq/retry')).toEqual({ upToId: '1764176400000-3', stream: '{events}:orders' });
  });

  it('says which entries a retry left behind and why, and filters the list to their origin', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/retry', () =>
      ok({
        operationId: 'op_01JRETRY0000',
        outcome: 'ok',
        retried: 1,
        skipped: 2,
        remaining: 4,
        invalidCount: 2,
        invalid: [
          { id: entryAt(0).id, why: 'origin stream not configured', stream: '{events}:gone' },
          { id: entryAt(2).id, why: 'no origin stream', stream: '' },
        ],
      })
    );

    const dialog = await selectAndOpen(user, /retry selected \(3\)/i, [0, 1, 2]);
    await user.click(within(dialog).getByRole('button', { name: 'Retry 3' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent(
      '2 entries could not be retried and stayed in the DLQ, where they can be inspected and purged (origin stream not configured: 1; no origin stream: 1).'
    );
    expect(result).toHaveTextContent(`Without an origin stream to filter by: ${entryAt(2).id}.`);
    await user.click(within(result).getByRole('button', { name: 'Show the entries from {events}:gone' }));
    await waitFor(() => expect(listParams(fake).at(-1)).toMatchObject({ stream: '{events}:gone' }));
  });

  it('turns bulk actions off while a text filter is set, since the API would not apply it', async () => {
    const user = userEvent.setup();
    setup({ role: 'admin' });

    await table();
    await user.type(screen.getByRole('textbox', { name: 'Type or reason contains' }), 'payment');
    expect(await screen.findByText('Bulk actions are off while the text filter is set.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /retry all/i })).toBeDisabled();
    expect(screen.getByRole('button', { name: /purge all/i })).toBeDisabled();
  });

  it('purges only after "purge" is typed, and sends the confirm field', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'admin' });

    const dialog = await selectAndOpen(user, /purge selected \(1\)/i, [1]);
    expect(dialog).toHaveTextContent('deleted from the DLQ for good');
    const confirm = within(dialog).getByRole('button', { name: 'Purge 1' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByRole('textbox'), 'purge');
    expect(confirm).toBeEnabled();
    await user.click(confirm);

    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent('1 purged, 0 skipped, 0 remaining');
    expect(lastBody(fake, '/api/events/dlq/purge')).toEqual({ confirm: 'purge', ids: [entryAt(1).id] });
  });

  it('disables every action while one runs, and a double click sends once', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'admin' });
    const answer = new Subject<FetchResponse<unknown>>();
    fake.on('/api/events/dlq/retry', () => answer);

    const dialog = await selectAndOpen(user, /retry selected/i);
    await user.dblClick(within(dialog).getByRole('button', { name: 'Retry 1' }));

    await waitFor(() => expect(screen.getByRole('button', { name: /retry all/i })).toBeDisabled());
    expect(screen.getByRole('button', { name: /purge all/i })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: `Select entry ${entryAt(1).id}` })).toBeDisabled();
    expect(fake.requestsTo('/api/events/dlq/retry')).toHaveLength(1);
    act(() => {
      answer.next({
        data: { operationId: 'op_01JRETRY0000', outcome: 'ok', retried: 1, skipped: 0, remaining: 6 },
      } as FetchResponse<unknown>);
      answer.complete();
    });
    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent('1 retried');
    expect(fake.requestsTo('/api/events/dlq/retry')).toHaveLength(1);
  });

  it('says the outcome is unknown, re-reads the list, and repeats with the same Idempotency-Key', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/retry', () =>
      fail(503, {
        error: 'redis_unavailable',
        message: 'Redis failed during the retry; 40 entries were done before that.',
        operationId: 'op_01JUNKNOWN00',
        outcome: 'unknown',
        retried: 40,
        skipped: 0,
      })
    );

    const dialog = await selectAndOpen(user, /retry all/i);
    const readsBefore = fake.requestsTo('/api/events/dlq').length;
    await user.click(within(dialog).getByRole('button', { name: 'Retry 7' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent('The outcome is unknown, the list below was re-read.');
    expect(result).toHaveTextContent('40 retried, 0 skipped before it stopped.');
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq').length).toBeGreaterThan(readsBefore));
    expect(publish).toHaveBeenCalledWith(expect.objectContaining({ type: 'alert-warning' }));

    await user.click(within(result).getByRole('button', { name: 'Repeat this action' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Retry 7' }));
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq/retry')).toHaveLength(2));
    const [first, second] = fake.requestsTo('/api/events/dlq/retry');
    expect(second.headers?.['Idempotency-Key']).toBe(first.headers?.['Idempotency-Key']);
    expect(second.data).toEqual(first.data);
  });

  it('treats a retry that passed its deadline as an unknown outcome', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/retry', () => throwError(() => new EventBusTimeoutError(60_000)));

    const dialog = await selectAndOpen(user, /retry selected/i);
    await user.click(within(dialog).getByRole('button', { name: 'Retry 1' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent('The outcome is unknown, the list below was re-read.');
    expect(result).toHaveTextContent('did not answer within the deadline');
  });

  it('gives each new confirmed action its own Idempotency-Key', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });

    await user.click(within(await selectAndOpen(user, /retry selected/i)).getByRole('button', { name: 'Retry 1' }));
    await screen.findByTestId(testIds.dlqPanel.result);
    await user.click(
      within(await selectAndOpen(user, /retry selected/i, [1])).getByRole('button', { name: 'Retry 1' })
    );
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq/retry')).toHaveLength(2));

    const [first, second] = fake.requestsTo('/api/events/dlq/retry');
    expect(second.headers?.['Idempotency-Key']).not.toBe(first.headers?.['Idempotency-Key']);
  });

  it('explains a 409 from another running operation', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/retry', () =>
      fail(409, { error: 'operation_in_progress', message: 'Another retry or purge on this DLQ is running.' })
    );

    await user.click(within(await selectAndOpen(user, /retry selected/i)).getByRole('button', { name: 'Retry 1' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(result).toHaveTextContent('Another retry or purge is running on this DLQ (409)');
    expect(result).toHaveTextContent('Nothing was changed by this request.');
  });

  it('marks each action on the dashboard with an annotation naming the counts and the user', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });

    await user.click(
      within(await selectAndOpen(user, /retry selected/i, [0, 2])).getByRole('button', { name: 'Retry 2' })
    );

    expect(await screen.findByText(/marked on the dashboard/i)).toBeInTheDocument();
    const [annotation] = fake.requestsTo('/api/annotations');
    expect(annotation).toMatchObject({ method: 'POST', showErrorAlert: false });
    expect(annotation.data).toEqual({
      dashboardUID: 'dash-1',
      time: expect.any(Number),
      tags: ['dlq', 'retry', '{events}:orders'],
      text: expect.stringMatching(
        /^DLQ retry by alice: Retry 2 selected entries of \{events\}:orders\. 2 retried, 0 skipped, 3 remaining/
      ),
    });
    expect(annotation.data).not.toHaveProperty('panelId');
  });

  it('still shows the result when the annotation cannot be added', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/annotations', () => fail(500, { message: 'database is locked' }));

    await user.click(within(await selectAndOpen(user, /retry selected/i)).getByRole('button', { name: 'Retry 1' }));

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(await within(result).findByText(/audit annotation could not be added/)).toHaveTextContent(
      'Grafana answered 500: database is locked'
    );
    expect(result).toHaveTextContent('1 retried, 0 skipped, 3 remaining in the DLQ.');
  });

  it('frees the buttons as soon as the result is in, even while the annotation hangs', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/annotations', () => NEVER);

    await user.click(within(await selectAndOpen(user, /retry selected/i)).getByRole('button', { name: 'Retry 1' }));

    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent('1 retried');
    await waitFor(() => expect(screen.getByRole('button', { name: /retry all/i })).toBeEnabled());
  });

  it('verifies a retry: follows the operation and says the messages went through', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });

    await user.click(within(await selectAndOpen(user, /retry selected/i)).getByRole('button', { name: 'Retry 1' }));

    const verify = await screen.findByTestId(testIds.dlqPanel.verify);
    await waitFor(() => expect(verify).toHaveAttribute('data-phase', 'through'));
    expect(verify).toHaveTextContent('Verified: all 1 retried messages were processed and none came back');
    expect(fake.requestsTo('/api/events/dlq/operations/op_01JRETRY0000')).not.toHaveLength(0);
  });

  it('verifies a retry: says how many came back to the DLQ', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    fake.on('/api/events/dlq/operations', () =>
      ok({
        operationId: 'op_01JRETRY0000',
        action: 'retry',
        actor: 'alice',
        startedAt: '',
        outcome: 'ok',
        retried: 2,
        refailed: 1,
        pending: 0,
      })
    );

    await user.click(
      within(await selectAndOpen(user, /retry selected/i, [0, 2])).getByRole('button', { name: 'Retry 2' })
    );

    const verify = await screen.findByTestId(testIds.dlqPanel.verify);
    await waitFor(() => expect(verify).toHaveAttribute('data-phase', 'came-back'));
    expect(verify).toHaveTextContent('1 of 2 retried messages failed again and came back to the DLQ');
  });
});

describe('DlqHealthPanel: failures', () => {
  const AUTH_401 = '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures#event-bus-401s';
  const AUTH_403 = '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures#grafana-401-and-403-for-operators';
  const DOWN = '/a/opsdesk-runbooks-app/runbooks/dlq-management#when-the-event-bus-or-redis-is-down';

  it.each([
    [
      '401',
      () => fail(401, { error: 'unauthorized', message: 'Missing or wrong bearer token.' }),
      /rejected the token \(401\)/,
      AUTH_401,
      true,
    ],
    [
      '403',
      () => fail(403, { message: 'plugin proxy route access denied' }),
      /may not use this event-bus action \(403\)/,
      AUTH_403,
      false,
    ],
    [
      '404 route missing',
      () => fail(404, { message: 'plugin route match not found' }),
      /does not know the event-bus routes/,
      undefined,
      false,
    ],
    ['502 with an empty body', () => fail(502, ''), /could not reach the event bus \(502\)/, DOWN, false],
    ['504', () => fail(504, ''), /timed out connecting to the event bus \(504\)/, DOWN, false],
    [
      'a hung request past its deadline',
      () => throwError(() => new EventBusTimeoutError(10_000)),
      /No answer from the event bus within 10 seconds/,
      DOWN,
      false,
    ],
    [
      'malformed JSON',
      () => ok('<html><body>Sign in</body></html>'),
      /does not answer like the event-bus API/,
      DOWN,
      true,
    ],
  ])('explains %s and links to the runbook that helps', async (_name, answer, title, runbook, isConfigIssue) => {
    const fake = createFakeEventBus(7);
    fake.on('/api/events/health', answer);
    setup({ fake });

    const problem = await screen.findByTestId(testIds.dlqPanel.problem);
    expect(problem).toHaveTextContent(title);
    if (runbook) {
      expect(within(problem).getByRole('link', { name: /runbook/i })).toHaveAttribute('href', runbook);
    }
    expect(within(problem).queryByRole('link', { name: 'Open the app configuration' }) !== null).toBe(isConfigIssue);
    expect(within(problem).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('says the app is not configured, with a link to its configuration page', async () => {
    const fake = createFakeEventBus(7);
    fake.on('/api/events/health', () => fail(502, ''));
    fake.on('/api/plugins/opsdesk-runbooks-app/settings', () =>
      ok({ enabled: true, jsonData: {}, secureJsonFields: {} })
    );
    setup({ fake });

    const problem = await screen.findByTestId(testIds.dlqPanel.problem);
    expect(problem).toHaveTextContent('The event bus is not configured in the Runbooks app');
    expect(within(problem).getByRole('link', { name: 'Open the app configuration' })).toHaveAttribute(
      'href',
      '/plugins/opsdesk-runbooks-app'
    );
  });

  it('explains a failed listing and reads again on "Try again"', async () => {
    const user = userEvent.setup();
    const fake = createFakeEventBus(7);
    fake.on('/api/events/dlq', () => fail(504, ''));
    setup({ fake });

    const problem = await within(await screen.findByTestId(testIds.dlqPanel.entries)).findByTestId(
      testIds.dlqPanel.problem
    );
    expect(problem).toHaveTextContent('(504)');
    fake.on('/api/events/dlq', () => ok({ total: 1, snapshotId: '1-1', entries: [entryAt(0)], nextCursor: null }));
    await user.click(within(problem).getByRole('button', { name: 'Try again' }));
    expect(within(await table()).getAllByRole('row')).toHaveLength(2);
  });
});

describe('DlqHealthPanel: refresh', () => {
  it('reads health and entries again on the dashboard refresh', async () => {
    const { fake, eventBus } = setup();
    await table();
    const before = {
      health: fake.requestsTo('/api/events/health').length,
      list: fake.requestsTo('/api/events/dlq').length,
    };

    act(() => eventBus.publish(new RefreshEvent()));

    await waitFor(() => expect(fake.requestsTo('/api/events/health')).toHaveLength(before.health + 1));
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq')).toHaveLength(before.list + 1));
  });

  it('ignores the dashboard refresh when the option says so', async () => {
    const { fake, eventBus } = setup({ options: { refreshOnDashboard: false } });
    await table();

    act(() => eventBus.publish(new RefreshEvent()));

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requestsTo('/api/events/health')).toHaveLength(1);
  });

  it('shares one health request per refresh between the DLQ panels of a dashboard', async () => {
    const fake = createFakeEventBus(7);
    const eventBus = new EventBusSrv();
    setup({ fake, eventBus, width: 300, height: 200 });
    renderPanel({ eventBus, width: 300, height: 200 });
    renderPanel({ eventBus, width: 300, height: 200 });
    await waitFor(() => expect(screen.getAllByTestId(testIds.dlqPanel.status)).toHaveLength(3));
    expect(fake.requestsTo('/api/events/health')).toHaveLength(1);

    act(() => eventBus.publish(new RefreshEvent()));

    await waitFor(() => expect(fake.requestsTo('/api/events/health')).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requestsTo('/api/events/health')).toHaveLength(2);
  });
});
