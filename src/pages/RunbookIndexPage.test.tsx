import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { loadSearchHeadings, RUNBOOKS } from 'runbooks/catalog';

import RunbookIndexPage from './RunbookIndexPage';

// The real loader, watched, so a test can make the headings fail to load as a dropped connection would.
jest.mock('runbooks/catalog', () => ({ ...jest.requireActual('runbooks/catalog'), loadSearchHeadings: jest.fn() }));
const loadHeadings = jest.mocked(loadSearchHeadings);
beforeEach(() => loadHeadings.mockImplementation(jest.requireActual('runbooks/catalog').loadSearchHeadings));

const Search = () => <output data-testid="location-search">{useLocation().search}</output>;

function open(query = '') {
  render(
    <MemoryRouter initialEntries={[`/a/opsdesk-runbooks-app/runbooks${query}`]}>
      <Routes>
        <Route
          path="/a/opsdesk-runbooks-app/runbooks"
          element={
            <>
              <RunbookIndexPage />
              <Search />
            </>
          }
        />
      </Routes>
    </MemoryRouter>
  );
}

const titles = () =>
  screen.queryAllByTestId(testIds.index.result).map((row) => within(row).getByRole('link').textContent);

describe('RunbookIndexPage', () => {
  afterEach(() => jest.useRealTimers());

  it('lists every runbook with its owner, alerts, tags, review state and last drill', () => {
    open();
    expect(titles()).toHaveLength(RUNBOOKS.length);
    const dlq = screen.getAllByTestId(testIds.index.result).find((row) => row.textContent?.includes('DLQ management'))!;
    expect(within(dlq).getByText(/Owner platform-team/)).toBeInTheDocument();
    expect(within(dlq).getByText(/Answers EventBusDlqBacklogGrowing/)).toBeInTheDocument();
    expect(within(dlq).getByTestId(testIds.runbook.reviewBadge)).toBeInTheDocument();
    expect(within(dlq).getByTestId(testIds.runbook.exerciseBadge)).toHaveTextContent(
      /^(Never drilled|Drilled \d{4}-\d{2}-\d{2}|Drill (due by|overdue since) \d{4}-\d{2}-\d{2})$/
    );
    expect(within(dlq).getByRole('link')).toHaveAttribute('href', '/a/opsdesk-runbooks-app/runbooks/dlq-management');
  });

  it('marks reviews and drills as due and overdue as time passes', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), advanceTimers: true });
    open();
    expect(screen.getAllByTestId(testIds.runbook.reviewBadge)[0]).toHaveTextContent(/Review overdue since/);
    for (const badge of screen.getAllByTestId(testIds.runbook.exerciseBadge)) {
      expect(badge).toHaveTextContent(/^(Never drilled|Drill overdue since)/);
    }
  });

  it('searches as you type, over titles, alert names and headings, keeping the query in the URL', async () => {
    const user = userEvent.setup();
    open();

    await user.type(screen.getByRole('textbox', { name: 'Search runbooks' }), 'ApiHighLatency');
    expect(titles()).toEqual(['Performance issues']);
    expect(screen.getByTestId('location-search')).toHaveTextContent('?q=ApiHighLatency');

    await user.clear(screen.getByRole('textbox', { name: 'Search runbooks' }));
    await user.type(screen.getByRole('textbox', { name: 'Search runbooks' }), 'point-in-time');
    expect(titles()).toEqual(['Database recovery']);
  });

  it('searches titles, tags and alert names while the headings load, and says when they could not', async () => {
    const user = userEvent.setup();
    let fail: (error: Error) => void = () => undefined;
    loadHeadings.mockReturnValue(new Promise((_, reject) => (fail = reject)));
    open();

    await user.type(screen.getByRole('textbox', { name: 'Search runbooks' }), 'ApiHighLatency');
    expect(titles()).toEqual(['Performance issues']);
    expect(screen.getByTestId(testIds.index.headingsState)).toHaveTextContent('headings are still loading');

    fail(new Error('Failed to fetch'));
    expect(await screen.findByText(/the headings could not be loaded/)).toBeInTheDocument();
    await user.clear(screen.getByRole('textbox', { name: 'Search runbooks' }));
    await user.type(screen.getByRole('textbox', { name: 'Search runbooks' }), 'point-in-time');
    expect(screen.getByTestId(testIds.index.empty)).toBeInTheDocument();
  });

  it('filters by tag and by owner, and says so when nothing is left', async () => {
    const user = userEvent.setup();
    open();

    await user.click(screen.getByRole('button', { name: 'dlq' }));
    expect(titles()).toEqual(['DLQ management']);
    expect(screen.getByTestId('location-search')).toHaveTextContent('?tag=dlq');

    await user.click(screen.getByRole('button', { name: 'agents-team' }));
    expect(screen.getByTestId(testIds.index.empty)).toHaveTextContent('No runbook matches these filters');
    await user.click(screen.getByRole('button', { name: 'Clear search and filters' }));
    expect(titles()).toHaveLength(RUNBOOKS.length);
  });

  it('opens the best match on Enter and moves into the results with the arrow keys', async () => {
    const user = userEvent.setup();
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => undefined);
    open('?q=rotation');

    await user.click(screen.getByRole('textbox', { name: 'Search runbooks' }));
    await user.keyboard('{Enter}');
    expect(push).toHaveBeenCalledWith('/a/opsdesk-runbooks-app/runbooks/key-rotation');

    open();
    const [search] = screen.getAllByRole('textbox', { name: 'Search runbooks' }).slice(-1);
    await user.click(search);
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.tagName).toBe('A');
  });

  it('says why when an alert had no runbook', () => {
    open('?q=SomethingNew&unresolved=SomethingNew');
    expect(screen.getByTestId(testIds.index.unresolvedAlert)).toHaveTextContent(
      'No runbook lists the alert SomethingNew'
    );
    expect(screen.getByRole('textbox', { name: 'Search runbooks' })).toHaveValue('SomethingNew');
  });

  it('shows ownership and the escalation path from the runbooks index', () => {
    open();
    const aside = screen.getByTestId(testIds.index.escalation);
    expect(within(aside).getByRole('heading', { name: 'Ownership' })).toBeInTheDocument();
    expect(within(aside).getByRole('heading', { name: 'Escalation' })).toBeInTheDocument();
  });
});
