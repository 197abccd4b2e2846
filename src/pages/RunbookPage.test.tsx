import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER } from 'rxjs';
import { locationService } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { findRunbook, loadRunbookContent } from 'runbooks/catalog';

import RunbookPage from './RunbookPage';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

// The real loader, watched, so a test can make one load fail as a dropped connection would.
jest.mock('runbooks/catalog', () => {
  const actual = jest.requireActual('runbooks/catalog');
  return { ...actual, loadRunbookContent: jest.fn() };
});
const load = jest.mocked(loadRunbookContent);
beforeEach(() => load.mockImplementation(jest.requireActual('runbooks/catalog').loadRunbookContent));

function open(slug: string, query = '') {
  fetch.mockReturnValue(NEVER);
  return render(
    <MemoryRouter initialEntries={[`/a/opsdesk-runbooks-app/runbooks/${slug}${query}`]}>
      <RunbookPage slug={slug} />
    </MemoryRouter>
  );
}

describe('RunbookPage', () => {
  it('shows owner, escalation, review state, last drill, dashboards and alerts from the front matter', () => {
    open('dlq-management');
    const runbook = findRunbook('dlq-management')!;
    const header = screen.getByTestId(testIds.runbook.header);

    expect(within(header).getByText(runbook.owner)).toBeInTheDocument();
    expect(within(header).getByText(runbook.escalation)).toBeInTheDocument();
    expect(within(header).getByTestId(testIds.runbook.reviewBadge)).toHaveTextContent(/Review|Reviewed/);
    expect(within(header).getByText(runbook.lastExercised ?? 'None recorded')).toBeInTheDocument();
    expect(within(header).getByTestId(testIds.runbook.exerciseBadge)).toBeInTheDocument();
    expect(within(header).getByRole('link', { name: 'opsdesk-event-bus' })).toHaveAttribute(
      'href',
      '/d/opsdesk-event-bus'
    );
    expect(within(header).getByRole('link', { name: 'EventBusDlqBacklogGrowing' })).toHaveAttribute(
      'href',
      '/alerting/list?search=EventBusDlqBacklogGrowing'
    );
    expect(within(header).getByRole('link', { name: /beside dashboard/i })).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?dashboard=opsdesk-event-bus'
    );
  });

  it('renders the procedure with a table of contents whose every link has its heading', async () => {
    open('troubleshooting/auth-failures');
    expect(screen.getByText('Loading the procedure...')).toBeInTheDocument();
    const toc = await screen.findByTestId(testIds.runbook.toc);
    const anchors = within(toc)
      .getAllByRole('link')
      .map((link) => link.getAttribute('href')!.slice(1));

    expect(anchors).toEqual(expect.arrayContaining(['overview', 'when-to-use', 'procedure', 'rollback', 'related']));
    const markdown = screen.getByTestId(testIds.runbook.markdown);
    for (const anchor of anchors) {
      expect(markdown.querySelector(`[id="${anchor}"]`)).not.toBeNull();
    }
  });

  it('shows the alert it was opened from with its labels as text, and scopes dashboards and live blocks to them', async () => {
    open(
      'dlq-management',
      '?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Apayments&severity=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&from=now-1h&to=now'
    );
    const banner = screen.getByTestId(testIds.runbook.alertContext);

    expect(banner).toHaveTextContent('Opened from alert EventBusDlqBacklogGrowing');
    expect(within(banner).getByText('stream={events}:payments')).toBeInTheDocument();
    expect(within(banner).getByText('severity=<img src=x onerror=alert(1)>')).toBeInTheDocument();
    expect(document.querySelector('img[onerror]')).toBeNull();
    expect(screen.getByRole('link', { name: 'opsdesk-event-bus' })).toHaveAttribute(
      'href',
      '/d/opsdesk-event-bus?from=now-1h&to=now&var-stream=%7Bevents%7D%3Apayments'
    );
    expect((await screen.findAllByTestId(testIds.runbook.liveBlock)).length).toBeGreaterThan(0);
  });

  it("links the alert banner to the runbook's block on that alert, and only when the runbook has one", async () => {
    open('dlq-management', '?alertname=EventBusDlqOldestMessageTooOld');
    const banner = screen.getByTestId(testIds.runbook.alertContext);
    const link = await within(banner).findByRole('link', {
      name: 'What EventBusDlqOldestMessageTooOld means, its impact, and where to start',
    });
    expect(link).toHaveAttribute('href', '#eventbusdlqoldestmessagetooold');
    expect(
      screen.getByTestId(testIds.runbook.markdown).querySelector('[id="eventbusdlqoldestmessagetooold"]')
    ).not.toBeNull();
  });

  it('shows no such link for an alert the runbook has no block on', async () => {
    open('dlq-management', '?alertname=SomethingElse');
    await screen.findByTestId(testIds.runbook.markdown);
    expect(within(screen.getByTestId(testIds.runbook.alertContext)).queryByRole('link')).not.toBeInTheDocument();
  });

  it('keeps the header when the procedure cannot be loaded, says so, and tries again on request', async () => {
    const user = userEvent.setup();
    load.mockRejectedValueOnce(new Error('Loading chunk runbooks-0 failed'));
    open('dlq-management');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The procedure could not be loaded');
    expect(alert).toHaveTextContent('Loading chunk runbooks-0 failed');
    expect(screen.getByTestId(testIds.runbook.header)).toHaveTextContent(findRunbook('dlq-management')!.escalation);
    expect(screen.queryByTestId(testIds.runbook.markdown)).not.toBeInTheDocument();

    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(testIds.runbook.markdown)).toBeInTheDocument();
    expect(screen.queryByText('The procedure could not be loaded')).not.toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('opens a link to a section after the procedure loads, and survives a malformed one', async () => {
    const scrollIntoView = jest.fn();
    Element.prototype.scrollIntoView = scrollIntoView;
    open('troubleshooting/auth-failures', '#rollback');
    await screen.findByTestId(testIds.runbook.markdown);
    expect(scrollIntoView.mock.contexts[0]).toHaveAttribute('id', 'rollback');

    open('troubleshooting/auth-failures', '#%E0%A4%A');
    await waitFor(() => expect(screen.getAllByTestId(testIds.runbook.markdown)).toHaveLength(2));
  });

  it('says clearly when there is no such runbook, and offers a search', async () => {
    const user = userEvent.setup();
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => undefined);
    open('troubleshooting/dns-failures');

    expect(screen.getByTestId(testIds.runbook.notFound)).toHaveTextContent(
      'There is no runbook at "troubleshooting/dns-failures"'
    );
    const search = screen.getByRole('textbox', { name: 'Search the runbooks' });
    expect(search).toHaveValue('dns failures');
    await user.click(screen.getByRole('button', { name: /search/i }));
    expect(push).toHaveBeenCalledWith('/a/opsdesk-runbooks-app/runbooks?q=dns+failures');
  });
});
