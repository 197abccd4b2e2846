import { NEVER, Observable, of, throwError } from 'rxjs';
import { FetchError } from '@grafana/runtime';

import { EventBusHealth, EventBusResponseError, EventBusTimeoutError, getEventBusHealth } from './eventBus';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

const HEALTHY: EventBusHealth = {
  status: 'ok',
  checkedAt: '2026-11-26T16:00:00.000Z',
  redis: { up: true, latencyMs: 0.4, version: '7.0.15' },
  dlq: { stream: '{events}:dlq', length: 0, oldestAgeSeconds: null, byStream: {} },
  streams: [],
};

function fetchError(status: number, data: unknown): FetchError {
  return { status, data, config: { url: '' } };
}

describe('getEventBusHealth', () => {
  afterEach(() => jest.useRealTimers());

  it('GETs the health route through the app proxy without Grafana error toasts', async () => {
    fetch.mockReturnValue(of({ data: HEALTHY, status: 200 }));

    await expect(getEventBusHealth()).resolves.toEqual(HEALTHY);

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/health',
      method: 'GET',
      showErrorAlert: false,
    });
  });

  it('treats a 503 that carries a health body as the answer "down"', async () => {
    const down = { ...HEALTHY, status: 'down', redis: { up: false } };
    fetch.mockReturnValue(throwError(() => fetchError(503, down)));

    await expect(getEventBusHealth()).resolves.toEqual(down);
  });

  it('rejects with the FetchError for any other failure', async () => {
    const error = fetchError(502, '');
    fetch.mockReturnValue(throwError(() => error));

    await expect(getEventBusHealth()).rejects.toBe(error);
  });

  it('rejects an answer that is not a health document', async () => {
    fetch.mockReturnValue(of({ data: '<html>login</html>', status: 200 }));

    await expect(getEventBusHealth()).rejects.toBeInstanceOf(EventBusResponseError);
  });

  it('gives up after its own deadline, since the proxy never does, and cancels the request', async () => {
    jest.useFakeTimers();
    let isUnsubscribed = false;
    fetch.mockReturnValue(
      new Observable(() => () => {
        isUnsubscribed = true;
      })
    );

    const result = getEventBusHealth({ timeoutMs: 3000 });
    jest.advanceTimersByTime(3000);

    await expect(result).rejects.toEqual(new EventBusTimeoutError(3000));
    expect(isUnsubscribed).toBe(true);
  });

  it('does not time out while the answer is still within the deadline', async () => {
    jest.useFakeTimers();
    fetch.mockReturnValue(NEVER);

    let isSettled = false;
    getEventBusHealth({ timeoutMs: 3000 }).then(
      () => (isSettled = true),
      () => (isSettled = true)
    );
    jest.advanceTimersByTime(2999);
    await Promise.resolve();

    expect(isSettled).toBe(false);
  });
});
