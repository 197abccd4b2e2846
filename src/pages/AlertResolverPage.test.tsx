import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render, screen } from '@testing-library/react';

import AlertResolverPage from './AlertResolverPage';

const Landed = () => {
  const location = useLocation();
  return <output>{`${location.pathname}${location.search}`}</output>;
};

function resolve(query: string) {
  render(
    <MemoryRouter initialEntries={[`/a/opsdesk-runbooks-app/alert?${query}`]}>
      <Routes>
        <Route path="/a/opsdesk-runbooks-app/alert" element={<AlertResolverPage />} />
        <Route path="*" element={<Landed />} />
      </Routes>
    </MemoryRouter>
  );
  return screen.getByRole('status').textContent;
}

describe('AlertResolverPage', () => {
  it('opens the runbook that lists the alert, carrying every label and the time range', () => {
    expect(resolve('alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders&from=now-1h')).toBe(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders&from=now-1h'
    );
  });

  it('opens a runbook under troubleshooting/ as well', () => {
    expect(resolve('alertname=ApiAuthFailures&service=api')).toBe(
      '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures?alertname=ApiAuthFailures&service=api'
    );
  });

  it('opens the index searching for an alert no runbook lists, saying so', () => {
    expect(resolve('alertname=SomethingNew&service=api')).toBe(
      '/a/opsdesk-runbooks-app/runbooks?q=SomethingNew&unresolved=SomethingNew'
    );
  });

  it('opens the plain index without an alert name', () => {
    expect(resolve('service=api')).toBe('/a/opsdesk-runbooks-app/runbooks');
  });
});
