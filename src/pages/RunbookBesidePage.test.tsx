import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER } from 'rxjs';
import { EmbeddedDashboardProps } from '@grafana/runtime';

import { testIds } from 'components/testIds';

import RunbookBesidePage, { SPLIT_STORAGE_KEY } from './RunbookBesidePage';

const fetch = jest.fn();
let mockIsEmbeddingSupported = true;
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
  // Stands in for Grafana's embedded dashboard: shows what it was given, and lets the test change its state.
  EmbeddedDashboard: ({ uid, initialState, onStateChange }: EmbeddedDashboardProps) => {
    if (!mockIsEmbeddingSupported) {
      throw new Error('EmbeddedDashboard requires runtime initialization');
    }
    return (
      <div>
        <span>{`dashboard ${uid} ${initialState}`}</span>
        <button
          onClick={() =>
            onStateChange?.('?from=now-3h&to=now&timezone=browser&refresh=30s&var-stream=%7Bevents%7D%3Aorders')
          }
        >
          change time range
        </button>
      </div>
    );
  },
}));

const Search = () => <output data-testid="location-search">{useLocation().search}</output>;

function open(slug: string, query: string) {
  fetch.mockReturnValue(NEVER);
  render(
    <MemoryRouter initialEntries={[`/a/opsdesk-runbooks-app/runbooks/${slug}/beside${query}`]}>
      <Routes>
        <Route
          path="*"
          element={
            <>
              <RunbookBesidePage slug={slug} />
              <Search />
            </>
          }
        />
      </Routes>
    </MemoryRouter>
  );
}

describe('RunbookBesidePage', () => {
  beforeEach(() => {
    mockIsEmbeddingSupported = true;
    localStorage.clear();
  });

  it("shows the runbook beside its dashboard, started at the link's time range and variables", async () => {
    open(
      'dlq-management',
      '?dashboard=opsdesk-event-bus&from=now-1h&to=now&alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders'
    );

    const dashboard = screen.getByTestId(testIds.beside.dashboard);
    expect(
      within(dashboard).getByText('dashboard opsdesk-event-bus ?from=now-1h&to=now&var-stream=%7Bevents%7D%3Aorders')
    ).toBeInTheDocument();
    expect(screen.getByTestId(testIds.runbook.alertContext)).toHaveTextContent('EventBusDlqBacklogGrowing');
    expect(await screen.findByTestId(testIds.runbook.markdown)).toBeInTheDocument();
  });

  it("keeps the dashboard's time range and variables in the URL, so the view can be shared", async () => {
    const user = userEvent.setup();
    open('dlq-management', '?dashboard=opsdesk-event-bus&from=now-1h&to=now&alertname=EventBusDlqBacklogGrowing');

    // Grafana reports the whole URL state, refresh included, every time it changes: it replaces, never piles up.
    await user.click(screen.getByRole('button', { name: 'change time range' }));
    await user.click(screen.getByRole('button', { name: 'change time range' }));

    expect(screen.getByTestId('location-search')).toHaveTextContent(
      '?alertname=EventBusDlqBacklogGrowing&from=now-3h&to=now&timezone=browser&refresh=30s&var-stream=%7Bevents%7D%3Aorders&dashboard=opsdesk-event-bus'
    );
  });

  it("opens the runbook's first dashboard when the link names none", () => {
    open('dlq-management', '');
    expect(screen.getByText(/^dashboard opsdesk-event-bus/)).toBeInTheDocument();
  });

  it('shows a dashboard the runbook does not list, and says its actions are recorded on the runbook own', () => {
    open('dlq-management', '?dashboard=someone-elses-dashboard&from=now-1h&to=now');

    expect(screen.getByText(/^dashboard someone-elses-dashboard/)).toBeInTheDocument();
    expect(screen.getByText('This runbook does not list the dashboard "someone-elses-dashboard"')).toBeInTheDocument();
    expect(
      screen.getByText(/recorded as annotations on its own dashboard, "opsdesk-event-bus", not on this one/)
    ).toBeInTheDocument();
  });

  it('gives the runbook the whole width, with the dashboard a tab away, where Grafana cannot embed it', async () => {
    mockIsEmbeddingSupported = false;
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    open('dlq-management', '?dashboard=opsdesk-event-bus&from=now-1h&to=now');

    const fallback = screen.getByTestId(testIds.beside.fallback);
    expect(fallback).toHaveTextContent('This Grafana cannot show a dashboard inside an app page');
    const link = within(fallback).getByRole('link', { name: /open dashboard opsdesk-event-bus/i });
    expect(link).toHaveAttribute('href', '/d/opsdesk-event-bus?from=now-1h&to=now');
    expect(link).toHaveAttribute('target', '_blank');
    // No empty half: no divider and no dashboard pane, the runbook below the notice.
    expect(screen.queryByRole('separator')).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.beside.dashboard)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.beside.container)).not.toBeInTheDocument();
    expect(await screen.findByTestId(testIds.runbook.markdown)).toBeInTheDocument();
    expect(within(fallback).getByRole('link', { name: /runbook only/i })).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/dlq-management?from=now-1h&to=now'
    );
  });

  it('remembers where the divider was left, under a key prefixed with the plugin id', async () => {
    const user = userEvent.setup();
    open('dlq-management', '?dashboard=opsdesk-event-bus');
    expect(SPLIT_STORAGE_KEY).toBe('opsdesk-runbooks-app.beside.split');

    const divider = screen.getByRole('separator');
    divider.focus();
    await user.keyboard('{ArrowRight}{ArrowRight}');
    await user.tab();

    expect(Number(localStorage.getItem(SPLIT_STORAGE_KEY))).toBeGreaterThan(0);
  });

  it('shows the not-found state for an unknown runbook', () => {
    open('nope', '?dashboard=opsdesk-event-bus');
    expect(screen.getByTestId(testIds.runbook.notFound)).toBeInTheDocument();
  });
});
