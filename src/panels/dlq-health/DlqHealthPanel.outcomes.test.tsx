// After an action: unknown outcomes and repeats, conflicts, the audit annotation, and verifying a retry.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER, throwError } from 'rxjs';

import { EventBusTimeoutError } from 'api/eventBus';
import { testIds } from 'components/testIds';
import { fail, ok } from 'dlq/components/__fixtures__/fakeEventBus';
import { publish } from 'dlq/components/__fixtures__/fakeRuntime';

import { resetPanelState, selectAndOpen, setup, stubIntersectionObserver } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

describe('DlqHealthPanel: actions', () => {
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
