import React from 'react';
import { act, createEvent, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER, Observable, of, Subject, throwError } from 'rxjs';
import { PluginType } from '@grafana/data';
import { BackendSrvRequest, FetchError } from '@grafana/runtime';

import { testIds } from 'components/testIds';

import AppConfig, { AppConfigProps } from './AppConfig';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

const SETTINGS_URL = '/api/plugins/opsdesk-runbooks-app/settings';
const HEALTH_URL = '/api/plugin-proxy/opsdesk-runbooks-app/api/events/health';

interface Stored {
  eventBusUrl?: string;
  isTokenConfigured?: boolean;
}

/** Answers like Grafana: the settings endpoints from `stored`, the proxied health route from `health`. */
function mockGrafana({ eventBusUrl, isTokenConfigured = false }: Stored, health: () => Observable<unknown> = NEVER_) {
  fetch.mockImplementation((request: BackendSrvRequest) => {
    if (request.url === SETTINGS_URL && request.method === 'GET') {
      return of({
        data: {
          enabled: true,
          pinned: true,
          jsonData: eventBusUrl ? { eventBusUrl, theme: 'kept' } : {},
          secureJsonFields: isTokenConfigured ? { eventBusToken: true } : {},
        },
      });
    }
    if (request.url === SETTINGS_URL && request.method === 'POST') {
      return of({ data: { message: 'Plugin settings updated' } });
    }
    if (request.url === HEALTH_URL) {
      return health();
    }
    throw new Error(`unexpected request ${request.method} ${request.url}`);
  });
}

function NEVER_() {
  return NEVER;
}

function answer(data: unknown) {
  return () => of({ data, status: 200 });
}

function failure(status: number, data: unknown = '') {
  const error: FetchError = { status, data, config: { url: HEALTH_URL } };
  return () => throwError(() => error);
}

function posts() {
  return fetch.mock.calls.map(([request]) => request).filter((request) => request.method === 'POST');
}

function setup(props: Partial<AppConfigProps> = {}) {
  const defaults = {
    plugin: { meta: { id: 'opsdesk-runbooks-app', name: 'Runbooks', type: PluginType.app, jsonData: {} } },
    query: {},
  } as unknown as AppConfigProps;
  render(<AppConfig {...defaults} {...props} />);
}

async function urlInput() {
  return screen.findByRole('textbox', { name: /event bus url/i });
}

describe('AppConfig', () => {
  afterEach(() => jest.useRealTimers());

  it('shows the stored URL and a configured token without ever loading the token', async () => {
    mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true });
    setup();

    expect(await urlInput()).toHaveValue('http://event-bus:8080');
    expect(screen.getByTestId(testIds.appConfig.eventBusToken)).toHaveValue('configured');
    expect(screen.getByRole('button', { name: /reset/i })).toBeInTheDocument();
  });

  it('says so when the settings cannot be loaded', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 500, data: { message: 'db locked' }, config: { url: '' } })));
    setup();

    expect(await screen.findByText(/Grafana answered 500: db locked/)).toBeInTheDocument();
  });

  it('saves without secureJsonData when the token did not change, keeping other jsonData', async () => {
    const user = userEvent.setup();
    mockGrafana({ eventBusUrl: 'http://old:8080', isTokenConfigured: true });
    setup();

    await user.clear(await urlInput());
    await user.type(await urlInput(), ' http://event-bus:8080/ ');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    expect(posts()).toHaveLength(1);
    expect(posts()[0].data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { eventBusUrl: 'http://event-bus:8080', theme: 'kept' },
    });
  });

  it('sends the token in secureJsonData when a new one was typed, then shows it as configured', async () => {
    const user = userEvent.setup();
    mockGrafana({ eventBusUrl: 'http://event-bus:8080' });
    setup();

    await user.type(await screen.findByTestId(testIds.appConfig.eventBusToken), 's3cret-token');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    expect(posts()[0].data.secureJsonData).toEqual({ eventBusToken: 's3cret-token' });
    expect(screen.getByTestId(testIds.appConfig.eventBusToken)).toHaveValue('configured');
  });

  it('clears the stored token when it was reset and saved empty', async () => {
    const user = userEvent.setup();
    mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true });
    setup();

    await user.click(await screen.findByRole('button', { name: /reset/i }));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    expect(posts()[0].data.secureJsonData).toEqual({ eventBusToken: '' });
  });

  it('prevents the native form submit, which would leave the page', async () => {
    mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true });
    setup();
    const form = await screen.findByTestId(testIds.appConfig.container);

    const submit = createEvent.submit(form);
    await act(async () => {
      fireEvent(form, submit);
    });

    expect(submit.defaultPrevented).toBe(true);
    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
  });

  it.each([
    ['', /Enter the URL/],
    ['event-bus:8080', /http:\/\/ or https:\/\//],
    ['not a url', /not a URL/],
    ['ftp://event-bus', /http:\/\/ or https:\/\//],
    ['http://admin:pw@event-bus:8080', /user name and password/],
    ['http://event-bus:8080/?token=x', /query string/],
  ])('refuses to save the URL %p and says why', async (url, message) => {
    const user = userEvent.setup();
    mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true });
    setup();

    await user.clear(await urlInput());
    if (url) {
      await user.type(await urlInput(), url);
    }
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(posts()).toHaveLength(0);
  });

  describe('Save & test', () => {
    const healthy = {
      status: 'ok',
      redis: { up: true, latencyMs: 0.4, version: '7.0.15' },
      dlq: { stream: '{events}:dlq', length: 0 },
      streams: [],
    };

    it.each([
      ['healthy', answer(healthy), 'The event bus is reachable and healthy', /Redis 7.0.15 answered in 0.4 ms/],
      [
        'degraded',
        answer({ ...healthy, status: 'degraded', dlq: { stream: '{events}:dlq', length: 57, oldestAgeSeconds: 120 } }),
        'The event bus is reachable but degraded',
        /The DLQ holds 57 messages/,
      ],
      [
        'Redis down (503)',
        failure(503, { ...healthy, status: 'down', redis: { up: false } }),
        'The event bus is reachable, but it cannot reach Redis',
        /Redis is down/,
      ],
      [
        'a wrong token (401)',
        failure(401, { error: 'unauthorized' }),
        'The event bus rejected the token (401)',
        /EVENT_BUS_TOKEN/,
      ],
      [
        'an unreachable URL (502)',
        failure(502),
        'Grafana could not reach the event bus (502)',
        /localhost is the container/,
      ],
      [
        'a missing route (404)',
        failure(404, { message: 'plugin route match not found' }),
        'Grafana does not know the event-bus routes of this app (404)',
        /Restart Grafana/,
      ],
    ])('saves, then reports %s in plain words', async (_name, health, title, detail) => {
      const user = userEvent.setup();
      mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true }, health);
      setup();

      await user.click(await screen.findByRole('button', { name: 'Save & test' }));

      const result = await screen.findByTestId(testIds.appConfig.testResult);
      expect(result).toHaveTextContent(title);
      expect(result).toHaveTextContent(detail);
      expect(posts()).toHaveLength(1);
      const healthCall = fetch.mock.calls.findIndex(([request]) => request.url === HEALTH_URL);
      const saveCall = fetch.mock.calls.findIndex(([request]) => request.method === 'POST');
      expect(saveCall).toBeLessThan(healthCall);
    });

    it('reports a timeout after 10 seconds when the service hangs', async () => {
      jest.useFakeTimers();
      const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
      mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true }, () => NEVER);
      setup();

      await user.click(await screen.findByRole('button', { name: 'Save & test' }));
      expect(await screen.findByRole('button', { name: /Testing/ })).toBeDisabled();
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });

      expect(await screen.findByTestId(testIds.appConfig.testResult)).toHaveTextContent(
        'No answer from the event bus within 10 seconds'
      );
      expect(screen.getByRole('button', { name: 'Save & test' })).toBeEnabled();
    });

    it('does not test when saving failed, and says why', async () => {
      const user = userEvent.setup();
      mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true });
      const answerGet = fetch.getMockImplementation()!;
      fetch.mockImplementation((request: BackendSrvRequest) =>
        request.method === 'POST'
          ? throwError(() => ({ status: 403, data: {}, config: { url: SETTINGS_URL } }))
          : answerGet(request)
      );
      setup();

      await user.click(await screen.findByRole('button', { name: 'Save & test' }));

      expect(await screen.findByText('The settings were not saved')).toBeInTheDocument();
      expect(fetch.mock.calls.some(([request]) => request.url === HEALTH_URL)).toBe(false);
    });

    it('sends one save while a save is in flight, however fast it is clicked', async () => {
      const user = userEvent.setup();
      mockGrafana({ eventBusUrl: 'http://event-bus:8080', isTokenConfigured: true }, answer(healthy));
      const answerOthers = fetch.getMockImplementation()!;
      const saved = new Subject<unknown>();
      fetch.mockImplementation((request: BackendSrvRequest) =>
        request.method === 'POST' ? saved.asObservable() : answerOthers(request)
      );
      setup();
      const button = await screen.findByRole('button', { name: 'Save & test' });

      await user.dblClick(button);
      await user.click(screen.getByRole('button', { name: 'Save' }));
      expect(button).toBeDisabled();
      await act(async () => {
        saved.next({ data: { message: 'Plugin settings updated' } });
        saved.complete();
      });

      expect(await screen.findByTestId(testIds.appConfig.testResult)).toHaveTextContent('healthy');
      expect(posts()).toHaveLength(1);
      expect(fetch.mock.calls.filter(([request]) => request.url === HEALTH_URL)).toHaveLength(1);
    });
  });
});
