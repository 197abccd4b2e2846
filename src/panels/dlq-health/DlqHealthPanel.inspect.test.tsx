// Inspecting entries: the list, paging, filters, and each entry's payload.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Subject } from 'rxjs';
import { FetchResponse } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { createFakeEventBus, entryAt, fail, ok } from 'dlq/components/__fixtures__/fakeEventBus';

import { listParams, resetPanelState, setup, stubIntersectionObserver, table } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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
    expect(screen.getByTestId(testIds.dlqPanel.paging)).toHaveTextContent('Page 1 · 100,000 entries, oldest first');
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
    expect(screen.getByRole('button', { name: 'Retry all 100,000 (every stream)' })).toBeEnabled();
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
