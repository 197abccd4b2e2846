// Permissions: what a Viewer, an Editor and an Admin may do, and a 403 from Grafana.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { testIds } from 'components/testIds';
import { entryAt, fail } from 'dlq/components/__fixtures__/fakeEventBus';

import { resetPanelState, setup, stubIntersectionObserver, table } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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
