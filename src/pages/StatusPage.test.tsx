import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Observable, of, throwError } from 'rxjs';
import { BackendSrvRequest } from '@grafana/runtime';

import { testIds } from 'components/testIds';

import StatusPage from './StatusPage';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

const SETTINGS_URL = '/api/plugins/opsdesk-runbooks-app/settings';
const HEALTH_URL = '/api/plugin-proxy/opsdesk-runbooks-app/api/events/health';

function mockGrafana(settings: object, health?: () => Observable<unknown>) {
  fetch.mockImplementation((request: BackendSrvRequest) => {
    if (request.url === SETTINGS_URL) {
      return of({ data: settings });
    }
    if (request.url === HEALTH_URL && health) {
      return health();
    }
    throw new Error(`unexpected request ${request.url}`);
  });
}

const CONFIGURED = {
  enabled: true,
  jsonData: { eventBusUrl: 'http://event-bus:8080' },
  secureJsonFields: { eventBusToken: true },
};

describe('StatusPage', () => {
  it('says what is missing and links to the configuration when nothing is set, without calling the proxy', async () => {
    mockGrafana({ enabled: true, jsonData: {}, secureJsonFields: {} });
    render(<StatusPage />);

    const result = await screen.findByTestId(testIds.statusPage.result);
    expect(result).toHaveTextContent('The event bus is not configured');
    expect(result).toHaveTextContent('no event-bus URL and API token yet');
    expect(screen.getByRole('link', { name: /app configuration/i })).toHaveAttribute(
      'href',
      '/plugins/opsdesk-runbooks-app'
    );
    expect(fetch.mock.calls.some(([request]) => request.url === HEALTH_URL)).toBe(false);
  });

  it('names the one missing setting', async () => {
    mockGrafana({ ...CONFIGURED, secureJsonFields: {} });
    render(<StatusPage />);

    expect(await screen.findByTestId(testIds.statusPage.result)).toHaveTextContent('no event-bus API token yet');
  });

  it('shows a reachable, healthy bus', async () => {
    mockGrafana(CONFIGURED, () =>
      of({
        data: {
          status: 'ok',
          checkedAt: '2026-11-26T16:00:00.000Z',
          redis: { up: true, latencyMs: 1 },
          dlq: { stream: '{events}:dlq', length: 0 },
        },
      })
    );
    render(<StatusPage />);

    expect(await screen.findByTestId(testIds.statusPage.result)).toHaveTextContent(
      'The event bus is reachable and healthy'
    );
    expect(screen.getByText(/Checked by the service at/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /app configuration/i })).not.toBeInTheDocument();
  });

  it('explains an unreachable bus and checks again on request', async () => {
    const user = userEvent.setup();
    let attempts = 0;
    mockGrafana(CONFIGURED, () => {
      attempts += 1;
      return attempts === 1
        ? throwError(() => ({ status: 502, data: '', config: { url: HEALTH_URL } }))
        : of({ data: { status: 'ok', dlq: { stream: '{events}:dlq', length: 0 } } });
    });
    render(<StatusPage />);

    expect(await screen.findByTestId(testIds.statusPage.result)).toHaveTextContent(
      'Grafana could not reach the event bus (502)'
    );
    expect(screen.getByRole('link', { name: /app configuration/i })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /check again/i }));

    expect(await screen.findByText('The event bus is reachable and healthy')).toBeInTheDocument();
    expect(attempts).toBe(2);
  });

  it('says when the app settings themselves cannot be read', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 403, data: {}, config: { url: SETTINGS_URL } })));
    render(<StatusPage />);

    expect(await screen.findByTestId(testIds.statusPage.result)).toHaveTextContent('Could not read the app settings');
  });
});
