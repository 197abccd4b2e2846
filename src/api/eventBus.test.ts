import { NEVER, Observable, of, throwError } from 'rxjs';
import { FetchError } from '@grafana/runtime';

import {
  EventBusResponseError,
  EventBusTimeoutError,
  getEventBusHealth,
  getOperation,
  isCancelled,
  listDlq,
  listDlqGroups,
  newRequestId,
  purgeDlq,
  retryDlq,
  stopDlqOperations,
} from './eventBus';
import { EventBusHealth } from './eventBusTypes';

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

const PAGE = {
  total: 57,
  snapshotId: '1764176400000-3',
  entries: [
    {
      id: '1764172800000-0',
      stream: '{events}:orders',
      originalId: '1764172700000-5',
      type: 'order.created',
      reason: 'ValidationError: amount must be positive',
      attempts: 5,
      deadLetteredAt: '2026-11-26T15:00:00.000Z',
      payload: '{"orderId":"A-1"}',
      payloadTruncated: false,
      retryOf: null,
    },
  ],
  nextCursor: '1764172800000-0',
};

describe('listDlq', () => {
  afterEach(() => jest.useRealTimers());

  it('GETs one page with only the given query parameters and a request id for cancellation', async () => {
    fetch.mockReturnValue(of({ data: PAGE, status: 200 }));

    await expect(
      listDlq({ limit: 50, after: '1-0', stream: '{events}:orders', q: '' }, { requestId: 'dlq-list-1' })
    ).resolves.toEqual(PAGE);

    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq',
      method: 'GET',
      params: { limit: 50, after: '1-0', stream: '{events}:orders' },
      showErrorAlert: false,
      requestId: 'dlq-list-1',
    });
  });

  it("asks for one failure group's entries, keeping an empty type: the group of entries without one", async () => {
    fetch.mockReturnValue(of({ data: PAGE, status: 200 }));

    await listDlq({ stream: '{events}:orders', type: '', failureClass: 'Boom' });

    expect(fetch.mock.calls[0][0].params).toEqual({ stream: '{events}:orders', type: '', failureClass: 'Boom' });
  });

  it.each([
    ['an HTML page', '<html>login</html>'],
    ['entries that are not a list', { ...PAGE, entries: 'none' }],
    ['an entry without an id', { ...PAGE, entries: [{ stream: '{events}:orders' }] }],
    ['no total', { ...PAGE, total: undefined }],
  ])('rejects %s as a malformed answer', async (_name, data) => {
    fetch.mockReturnValue(of({ data, status: 200 }));

    await expect(listDlq({})).rejects.toBeInstanceOf(EventBusResponseError);
  });

  it('has its own deadline', async () => {
    jest.useFakeTimers();
    fetch.mockReturnValue(NEVER);

    const result = listDlq({}, { timeoutMs: 2000 });
    jest.advanceTimersByTime(2000);

    await expect(result).rejects.toEqual(new EventBusTimeoutError(2000));
  });

  it("recognises Grafana's cancellation of a superseded request", () => {
    expect(isCancelled({ cancelled: true, status: -1, data: null })).toBe(true);
    expect(isCancelled(fetchError(502, ''))).toBe(false);
  });
});

const GROUPS = {
  snapshotId: '1764176400000-3',
  total: 42,
  stale: false,
  groups: [
    {
      stream: '{events}:orders',
      type: 'order.created',
      failureClass: 'TimeoutError: no answer within <n> s',
      count: 40,
      oldest: { id: '1764172800000-0', at: '2026-11-26T16:00:00.000Z' },
      newest: { id: '1764176400000-3', at: '2026-11-26T17:00:00.000Z' },
      sampleId: '1764172800000-0',
      sampleReason: 'TimeoutError: no answer within 30 s',
    },
  ],
  other: { groups: 1, count: 2 },
};

describe('listDlqGroups', () => {
  it('GETs the failure groups through the app proxy with only the given parameters', async () => {
    fetch.mockReturnValue(of({ data: GROUPS, status: 200 }));

    await expect(listDlqGroups({ stream: '{events}:orders' }, { requestId: 'dlq-groups-1' })).resolves.toEqual(GROUPS);

    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/groups',
      method: 'GET',
      params: { stream: '{events}:orders' },
      showErrorAlert: false,
      requestId: 'dlq-groups-1',
    });
  });

  it.each([
    ['an HTML page', '<html>login</html>'],
    ['no stale flag', { ...GROUPS, stale: undefined }],
    ['a group without a count', { ...GROUPS, groups: [{ ...GROUPS.groups[0], count: '40' }] }],
    ['a group without its oldest entry', { ...GROUPS, groups: [{ ...GROUPS.groups[0], oldest: null }] }],
  ])('rejects %s as a malformed answer', async (_name, data) => {
    fetch.mockReturnValue(of({ data, status: 200 }));

    await expect(listDlqGroups()).rejects.toBeInstanceOf(EventBusResponseError);
  });
});

describe('retryDlq and purgeDlq', () => {
  afterEach(() => jest.useRealTimers());

  it('POSTs a retry by IDs with the Idempotency-Key and no Grafana toasts', async () => {
    fetch.mockReturnValue(
      of({ data: { operationId: 'op_01J0000000', outcome: 'ok', retried: 2, skipped: 1, remaining: 3, upToId: null } })
    );

    await expect(retryDlq({ ids: ['1-0', '2-0'] }, 'dlq-key-1')).resolves.toEqual({
      operationId: 'op_01J0000000',
      outcome: 'ok',
      done: 2,
      skipped: 1,
      remaining: 3,
      upToId: null,
    });
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/retry',
      method: 'POST',
      data: { ids: ['1-0', '2-0'] },
      headers: { 'Idempotency-Key': 'dlq-key-1' },
      showErrorAlert: false,
      showSuccessAlert: false,
    });
  });

  it('sends exactly upToId and stream for a bulk retry, and leaves out an empty stream', async () => {
    fetch.mockReturnValue(
      of({ data: { operationId: 'op_01J0000000', outcome: 'ok', retried: 0, skipped: 0, remaining: 0 } })
    );

    await retryDlq({ upToId: '5-0', stream: '{events}:orders' }, 'k1');
    await retryDlq({ upToId: '5-0' }, 'k2');

    expect(fetch.mock.calls[0][0].data).toEqual({ upToId: '5-0', stream: '{events}:orders' });
    expect(fetch.mock.calls[1][0].data).toEqual({ upToId: '5-0' });
  });

  it('sends a failure filter with a bulk retry, an empty type included (entries without one)', async () => {
    fetch.mockReturnValue(
      of({ data: { operationId: 'op_01J0000000', outcome: 'ok', retried: 0, skipped: 0, remaining: 0 } })
    );

    await retryDlq({ upToId: '5-0', stream: '{events}:orders', type: '', failureClass: 'TimeoutError: x' }, 'k1');

    expect(fetch.mock.calls[0][0].data).toEqual({
      upToId: '5-0',
      stream: '{events}:orders',
      type: '',
      failureClass: 'TimeoutError: x',
    });
  });

  it('POSTs a purge with confirm "purge"', async () => {
    fetch.mockReturnValue(of({ data: { operationId: 'op_01J0000000', outcome: 'ok', purged: 7, remaining: 0 } }));

    await expect(purgeDlq({ upToId: '5-0' }, 'k')).resolves.toMatchObject({ outcome: 'ok', done: 7, remaining: 0 });
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({
        url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/purge',
        data: { confirm: 'purge', upToId: '5-0' },
        headers: { 'Idempotency-Key': 'k' },
      })
    );
  });

  it('resolves a 503 with outcome "unknown" as an answer carrying the counts done so far', async () => {
    fetch.mockReturnValue(
      throwError(() =>
        fetchError(503, {
          error: 'redis_unavailable',
          message: 'Redis failed.',
          operationId: 'op_01J0000000',
          outcome: 'unknown',
          retried: 40,
          skipped: 1,
        })
      )
    );

    await expect(retryDlq({ upToId: '5-0' }, 'k')).resolves.toEqual({
      operationId: 'op_01J0000000',
      outcome: 'unknown',
      done: 40,
      skipped: 1,
      message: 'Redis failed.',
    });
  });

  it('resolves a 200 with outcome "stopped" as a result with exact counts and what remains', async () => {
    fetch.mockReturnValue(
      of({
        data: {
          operationId: 'op_01J0000000',
          outcome: 'stopped',
          retried: 600,
          skipped: 0,
          remaining: 4400,
          upToId: '5-0',
        },
      })
    );

    await expect(retryDlq({ upToId: '5-0' }, 'k')).resolves.toEqual({
      operationId: 'op_01J0000000',
      outcome: 'stopped',
      done: 600,
      skipped: 0,
      remaining: 4400,
      upToId: '5-0',
    });
  });

  it('rejects other failures, and a 200 that is not a result', async () => {
    const conflict = fetchError(409, { error: 'operation_in_progress', message: 'Another operation is running.' });
    fetch.mockReturnValueOnce(throwError(() => conflict));
    await expect(retryDlq({ ids: ['1-0'] }, 'k')).rejects.toBe(conflict);

    fetch.mockReturnValueOnce(of({ data: '<html></html>' }));
    await expect(purgeDlq({ ids: ['1-0'] }, 'k')).rejects.toBeInstanceOf(EventBusResponseError);
  });

  it('gives a mutation a longer deadline than a read, but a deadline all the same', async () => {
    jest.useFakeTimers();
    fetch.mockReturnValue(NEVER);

    const result = retryDlq({ ids: ['1-0'] }, 'k');
    jest.advanceTimersByTime(60_000);

    await expect(result).rejects.toEqual(new EventBusTimeoutError(60_000));
  });
});

describe('stopDlqOperations', () => {
  afterEach(() => jest.useRealTimers());

  it('POSTs an empty JSON body to the stop route, without Grafana toasts', async () => {
    const answer = {
      stopRequestedAt: '2026-11-26T16:00:01.000Z',
      operations: [
        { operationId: 'op_01J0000000', action: 'retry', actor: 'alice', startedAt: '2026-11-26T16:00:00.000Z' },
      ],
    };
    fetch.mockReturnValue(of({ data: answer, status: 200 }));

    await expect(stopDlqOperations()).resolves.toEqual(answer);
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/stop',
      method: 'POST',
      data: {},
      showErrorAlert: false,
      showSuccessAlert: false,
    });
  });

  it('rejects a failure with the FetchError, and an answer that is not a stop result', async () => {
    const denied = fetchError(403, { message: 'plugin proxy route access denied' });
    fetch.mockReturnValueOnce(throwError(() => denied));
    await expect(stopDlqOperations()).rejects.toBe(denied);

    fetch.mockReturnValueOnce(of({ data: { ok: true } }));
    await expect(stopDlqOperations()).rejects.toBeInstanceOf(EventBusResponseError);
  });

  it("has a read's deadline: a stop is one quick write", async () => {
    jest.useFakeTimers();
    fetch.mockReturnValue(NEVER);

    const result = stopDlqOperations();
    jest.advanceTimersByTime(10_000);

    await expect(result).rejects.toEqual(new EventBusTimeoutError(10_000));
  });
});

describe('getOperation', () => {
  it('GETs the operation by its encoded id', async () => {
    const operation = {
      operationId: 'op_01J0000000',
      action: 'retry',
      actor: 'alice',
      startedAt: '',
      outcome: 'ok',
      refailed: 0,
      pending: 0,
    };
    fetch.mockReturnValue(of({ data: operation }));

    await expect(getOperation('op_01J0000000')).resolves.toEqual(operation);
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({
        url: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/operations/op_01J0000000',
        method: 'GET',
        showErrorAlert: false,
      })
    );
    await getOperation('../health');
    expect(fetch.mock.calls[1][0].url).toBe(
      '/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/operations/..%2Fhealth'
    );
  });
});

describe('newRequestId', () => {
  it('gives each view its own id, also across the app and the panel, which load this module separately', () => {
    const first = newRequestId('dlq-groups');
    expect(newRequestId('dlq-groups')).not.toBe(first);
    expect(first).toMatch(/^opsdesk-dlq-groups-/);

    // Each bundle holds its own copy of this module, with its own counter: the first view of each must still differ,
    // or Grafana's backend service cancels one view's read when the other starts.
    const fromAnotherBundle = () => {
      let id = '';
      jest.isolateModules(() => {
        id = (jest.requireActual('./eventBus') as typeof import('./eventBus')).newRequestId('dlq-groups');
      });
      return id;
    };
    expect(fromAnotherBundle()).not.toBe(fromAnotherBundle());
  });
});
