// Failures: why the event bus cannot be read, in words, with the runbook or configuration that helps and a way to try again.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { throwError } from 'rxjs';

import { EventBusTimeoutError } from 'api/eventBus';
import { testIds } from 'components/testIds';
import { createFakeEventBus, entryAt, fail, ok } from 'dlq/components/__fixtures__/fakeEventBus';

import { resetPanelState, setup, showEntries, stubIntersectionObserver, table } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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
    await showEntries();

    const problem = await within(await screen.findByTestId(testIds.dlqPanel.entries)).findByTestId(
      testIds.dlqPanel.problem
    );
    expect(problem).toHaveTextContent('(504)');
    fake.on('/api/events/dlq', () => ok({ total: 1, snapshotId: '1-1', entries: [entryAt(0)], nextCursor: null }));
    await user.click(within(problem).getByRole('button', { name: 'Try again' }));
    expect(within(await table()).getAllByRole('row')).toHaveLength(2);
  });
});
