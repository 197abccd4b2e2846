// Stopping a running retry or purge: the Stop button while one is in flight, for those who may retry; the stop
// request; its errors; and the stopped result.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Subject } from 'rxjs';
import { FetchResponse } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { BASE_MS, fail, ok } from 'dlq/components/__fixtures__/fakeEventBus';
import { publish } from 'dlq/components/__fixtures__/fakeRuntime';

import { resetPanelState, setup, stubIntersectionObserver, table } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

const SIZE = 5000;
// Only the count matters here; a short page keeps jsdom from rendering rows no test reads.
const SNAPSHOT = `${BASE_MS + SIZE - 1}-0`;
const RETRY_ALL = `Retry 5,000 entries (every stream) up to ${SNAPSHOT}`;
const STOPPING = {
  stopRequestedAt: new Date(BASE_MS + 7200_000).toISOString(),
  operations: [
    {
      operationId: 'op_01JRETRY0000',
      action: 'retry',
      actor: 'alice',
      startedAt: new Date(BASE_MS + 7190_000).toISOString(),
      retried: 600,
      purged: 0,
    },
  ],
};

type User = ReturnType<typeof userEvent.setup>;

/** Makes the action at `path` hang until the test answers it, and returns the answer's subject. */
function hangOn(fake: ReturnType<typeof setup>['fake'], path: string) {
  const answer = new Subject<FetchResponse<unknown>>();
  fake.on(path, () => answer);
  return answer;
}

function answerWith(answer: Subject<FetchResponse<unknown>>, data: unknown) {
  act(() => {
    answer.next({ data, status: 200, ok: true } as FetchResponse<unknown>);
    answer.complete();
  });
}

/** Confirms "Retry all" (or "Purge all", typing the confirmation) and returns the progress shown meanwhile. */
async function startAll(user: User, action: 'retry' | 'purge') {
  await table();
  await user.click(
    screen.getByRole('button', { name: `${action === 'retry' ? 'Retry' : 'Purge'} all 5,000 (every stream)` })
  );
  const dialog = await screen.findByRole('dialog');
  if (action === 'purge') {
    await user.type(within(dialog).getByRole('textbox'), 'purge');
  }
  await user.click(within(dialog).getByRole('button', { name: `${action === 'retry' ? 'Retry' : 'Purge'} 5000` }));
  return screen.findByTestId(testIds.dlqPanel.progress);
}

describe('DlqHealthPanel: stopping a running action', () => {
  it('offers Stop while a retry runs, sends the stop, and shows how far the retry got', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor', size: SIZE, options: { pageSize: 5 } });
    const retry = hangOn(fake, '/api/events/dlq/retry');
    fake.on('/api/events/dlq/stop', () => ok(STOPPING));

    await table();
    expect(screen.queryByRole('button', { name: /^stop/i })).not.toBeInTheDocument();
    const progress = await startAll(user, 'retry');
    expect(progress).toHaveTextContent(`${RETRY_ALL}: running`);
    expect(progress).toHaveTextContent('the entries it has not reached stay in the DLQ');
    expect(fake.requestsTo('/api/events/dlq/stop')).toHaveLength(0);

    await user.click(within(progress).getByRole('button', { name: 'Stop the retry' }));

    expect(
      await within(progress).findByText(/^Stop requested at .+: the retry stops after its current batch\.$/)
    ).toBeVisible();
    expect(within(progress).getByRole('button', { name: 'Stop the retry' })).toBeDisabled();
    const [stop] = fake.requestsTo('/api/events/dlq/stop');
    expect(stop).toMatchObject({
      method: 'POST',
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/stop',
      data: {},
      showErrorAlert: false,
    });

    answerWith(retry, {
      operationId: 'op_01JRETRY0000',
      outcome: 'stopped',
      retried: 600,
      skipped: 0,
      remaining: 4400,
      upToId: SNAPSHOT,
    });

    const result = await screen.findByTestId(testIds.dlqPanel.result);
    expect(within(result).getByText(`${RETRY_ALL}: stopped`)).toBeInTheDocument();
    expect(result).toHaveTextContent('Stopped after 600 of 5,000 entries retried; 4,400 stay in the DLQ.');
    expect(result).not.toHaveTextContent('outcome unknown');
    expect(screen.queryByTestId(testIds.dlqPanel.progress)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^stop/i })).not.toBeInTheDocument();
    expect(publish).toHaveBeenCalledWith({
      type: 'alert-warning',
      payload: [RETRY_ALL, 'Stopped after 600 of 5,000 entries retried; 4,400 stay in the DLQ.'],
    });
    await waitFor(() => expect(fake.requestsTo('/api/annotations')).toHaveLength(1));
    expect(fake.requestsTo('/api/annotations')[0].data.text).toMatch(
      /Stopped after 600 of 5,000 entries retried; 4,400 stay in the DLQ\. Outcome stopped\. Operation op_01JRETRY0000\.$/
    );
  });

  it('carries on after a stop with the same Idempotency-Key when the action is repeated', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor', size: SIZE, options: { pageSize: 5 } });
    const retry = hangOn(fake, '/api/events/dlq/retry');

    await user.click(within(await startAll(user, 'retry')).getByRole('button', { name: 'Stop the retry' }));
    answerWith(retry, {
      operationId: 'op_01JRETRY0000',
      outcome: 'stopped',
      retried: 200,
      skipped: 0,
      remaining: 4800,
    });
    const result = await screen.findByTestId(testIds.dlqPanel.result);
    fake.on('/api/events/dlq/retry', () =>
      ok({ operationId: 'op_01JRETRY0001', outcome: 'ok', retried: 4800, skipped: 0, remaining: 0 })
    );
    await user.click(within(result).getByRole('button', { name: 'Repeat this action' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Retry 5000' }));

    await waitFor(() => expect(screen.getByTestId(testIds.dlqPanel.result)).toHaveTextContent('4800 retried'));
    const [first, second] = fake.requestsTo('/api/events/dlq/retry');
    expect(second.headers?.['Idempotency-Key']).toBe(first.headers?.['Idempotency-Key']);
    expect(second.data).toEqual(first.data);
  });

  it('offers Stop to an Admin during a purge, and says the purge stopped', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'admin', size: SIZE, options: { pageSize: 5 } });
    const purge = hangOn(fake, '/api/events/dlq/purge');

    const progress = await startAll(user, 'purge');
    await user.click(within(progress).getByRole('button', { name: 'Stop the purge' }));
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq/stop')).toHaveLength(1));
    answerWith(purge, {
      operationId: 'op_01JPURGE0000',
      outcome: 'stopped',
      purged: 1000,
      skipped: 0,
      remaining: 4000,
    });

    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent(
      'Stopped after 1,000 of 5,000 entries purged; 4,000 stay in the DLQ.'
    );
  });

  it('shows no Stop to a user who may purge but not retry, whose role the stop route refuses', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'purgeOnly', size: SIZE, options: { pageSize: 5 } });
    const purge = hangOn(fake, '/api/events/dlq/purge');

    const progress = await startAll(user, 'purge');
    expect(progress).toHaveTextContent('running');
    expect(within(progress).queryByRole('button')).not.toBeInTheDocument();
    expect(progress).not.toHaveTextContent('Stopping');
    answerWith(purge, { operationId: 'op_01JPURGE0000', outcome: 'ok', purged: 5000, skipped: 0, remaining: 0 });
    await screen.findByTestId(testIds.dlqPanel.result);
  });

  it('shows no Stop to a Viewer, who cannot start an action', async () => {
    setup({ role: 'viewer', size: SIZE, options: { pageSize: 5 } });

    await table();
    expect(screen.queryByRole('button', { name: /^stop/i })).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.dlqPanel.progress)).not.toBeInTheDocument();
  });

  it('shows a failed stop plainly; the retry goes on and Stop can be pressed again', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor', size: SIZE, options: { pageSize: 5 } });
    const retry = hangOn(fake, '/api/events/dlq/retry');
    fake.on('/api/events/dlq/stop', () =>
      fail(503, { error: 'redis_unavailable', message: 'Redis is not reachable.' })
    );

    const progress = await startAll(user, 'retry');
    await user.click(within(progress).getByRole('button', { name: 'Stop the retry' }));

    expect(
      await within(progress).findByText(/^The stop did not go through: The event bus cannot reach Redis \(503\)\./)
    ).toHaveTextContent('The retry goes on.');
    const stopButton = within(progress).getByRole('button', { name: 'Stop the retry' });
    expect(stopButton).toBeEnabled();

    fake.on('/api/events/dlq/stop', () => ok(STOPPING));
    await user.click(stopButton);
    expect(await within(progress).findByText(/^Stop requested at/)).toBeInTheDocument();
    expect(progress).not.toHaveTextContent('did not go through');
    expect(fake.requestsTo('/api/events/dlq/stop')).toHaveLength(2);
    answerWith(retry, {
      operationId: 'op_01JRETRY0000',
      outcome: 'stopped',
      retried: 600,
      skipped: 0,
      remaining: 4400,
    });
    await screen.findByTestId(testIds.dlqPanel.result);
  });

  it('says when the event bus found nothing running: the action may just have finished', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor', size: SIZE, options: { pageSize: 5 } });
    const retry = hangOn(fake, '/api/events/dlq/retry');

    const progress = await startAll(user, 'retry');
    await user.click(within(progress).getByRole('button', { name: 'Stop the retry' }));

    expect(await within(progress).findByText(/found no retry or purge running/)).toHaveTextContent(
      'the retry may have just finished'
    );
    answerWith(retry, { operationId: 'op_01JRETRY0000', outcome: 'ok', retried: 5000, skipped: 0, remaining: 0 });
    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent('5000 retried');
  });
});
