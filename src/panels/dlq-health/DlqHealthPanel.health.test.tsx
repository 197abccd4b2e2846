// Health at a glance: the status in words, depth, age, streams, consumer groups, thresholds and layout.
import { screen, within } from '@testing-library/react';

import { testIds } from 'components/testIds';
import { createFakeEventBus, healthOf } from 'dlq/components/__fixtures__/fakeEventBus';

import { resetPanelState, setup, stubIntersectionObserver } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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
