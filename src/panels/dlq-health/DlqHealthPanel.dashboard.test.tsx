// The dashboard around the panel: finding its dashboard for the runbook link, and following the dashboard refresh.
import React from 'react';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EventBusSrv } from '@grafana/data';
import { RefreshEvent } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { LiveDlqHealth } from 'components/LiveDlqHealth/LiveDlqHealth';
import { createFakeEventBus, healthOf } from 'dlq/components/__fixtures__/fakeEventBus';

import { forgetSharedHealth } from 'dlq/hooks/sharedHealth';

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

describe('DlqHealthPanel: one truth on the page', () => {
  /** The DLQ depth a view shows, once its health has been read. */
  async function depthShown(view: HTMLElement) {
    const health = await within(view).findByTestId(testIds.dlqPanel.health);
    return health.textContent?.match(/DLQ depth(\d+)/)?.[1];
  }

  function views() {
    const live = screen.getByTestId(testIds.runbook.liveBlock);
    const panel = screen.getAllByTestId(testIds.dlqPanel.container).find((view) => !live.contains(view))!;
    return { live, panel };
  }

  it("reads the DLQ again when the runbook's live block beside it retries, and the live block when it retries", async () => {
    const user = userEvent.setup();
    const { fake } = setup({ role: 'editor' });
    render(<LiveDlqHealth stream="{events}:orders" dashboardUid="dash-1" />);
    const { live, panel } = views();
    await waitFor(async () => expect(await depthShown(panel)).toBe('7'));
    expect(await depthShown(live)).toBe('7');

    // The live block retries its stream; the service now reports 3 left. The panel, which did nothing, says so too.
    fake.health = healthOf(3);
    await user.click(await within(live).findByRole('button', { name: /^Retry these 4 / }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: /^Retry 4/ }));
    await waitFor(async () => expect(await depthShown(live)).toBe('3'));
    await waitFor(async () => expect(await depthShown(panel)).toBe('3'));

    // And the other way round: the panel retries everything, and the live block follows.
    forgetSharedHealth();
    fake.health = healthOf(0);
    await user.click(within(panel).getByRole('radio', { name: 'Entries' }));
    await user.click(await within(panel).findByRole('button', { name: /^Retry all .* \(every stream\)$/ }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: /^Retry \d+/ }));
    await waitFor(async () => expect(await depthShown(panel)).toBe('0'));
    await waitFor(async () => expect(await depthShown(live)).toBe('0'));
  });
});
