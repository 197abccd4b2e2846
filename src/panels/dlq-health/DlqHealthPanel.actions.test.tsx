// Actions: retry and purge behind a confirmation that says what happens, what is sent, and buttons while one runs.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Subject } from 'rxjs';
import { FetchResponse } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { entryAt, ok } from 'dlq/components/__fixtures__/fakeEventBus';
import { publish } from 'dlq/components/__fixtures__/fakeRuntime';

import {
  lastBody,
  listParams,
  resetPanelState,
  selectAndOpen,
  setup,
  showEntries,
  stubIntersectionObserver,
  table,
} from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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

    await showEntries();
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
});
