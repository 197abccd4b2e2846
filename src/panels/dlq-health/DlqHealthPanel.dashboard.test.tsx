// The dashboard around the panel: finding its dashboard for the runbook link, and following the dashboard refresh.
import { act, screen, waitFor } from '@testing-library/react';
import { EventBusSrv } from '@grafana/data';
import { RefreshEvent } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { createFakeEventBus } from 'dlq/components/__fixtures__/fakeEventBus';

import { renderPanel, resetPanelState, setup, stubIntersectionObserver, table } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

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
