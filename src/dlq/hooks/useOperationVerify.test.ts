import { act, renderHook } from '@testing-library/react';
import { of, throwError } from 'rxjs';

import { DlqOperation } from 'api/eventBusTypes';

import { useOperationVerify } from './useOperationVerify';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

function operation(overrides: Partial<DlqOperation>) {
  return of({
    data: {
      operationId: 'op_01JRETRY0000',
      action: 'retry',
      actor: 'alice',
      startedAt: '',
      outcome: 'ok',
      ...overrides,
    },
  });
}

async function tick(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

describe('useOperationVerify', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls every interval until nothing is pending, then says the messages went through', async () => {
    fetch
      .mockReturnValueOnce(operation({ outcome: 'running', pending: 5, refailed: 0 }))
      .mockReturnValueOnce(operation({ pending: 2, refailed: 0 }))
      .mockReturnValue(operation({ pending: 0, refailed: 0 }));

    const { result } = renderHook(() => useOperationVerify('op_01JRETRY0000', 3000, 60_000));
    await tick(0);
    expect(result.current).toMatchObject({ phase: 'following', operation: { pending: 5 } });
    await tick(3000);
    expect(result.current).toMatchObject({ phase: 'following', operation: { pending: 2 } });
    await tick(3000);
    expect(result.current?.phase).toBe('through');
    await tick(30_000);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('says some came back when the retried messages failed again', async () => {
    fetch.mockReturnValue(operation({ pending: 0, refailed: 2 }));

    const { result } = renderHook(() => useOperationVerify('op_01JRETRY0000'));
    await tick(0);

    expect(result.current).toMatchObject({ phase: 'came-back', operation: { refailed: 2 } });
  });

  it('gives up after the bounded time and reports what is still pending', async () => {
    fetch.mockReturnValue(operation({ pending: 4, refailed: 1 }));

    const { result } = renderHook(() => useOperationVerify('op_01JRETRY0000', 3000, 9000));
    await tick(20_000);

    expect(result.current).toMatchObject({ phase: 'stopped', operation: { pending: 4, refailed: 1 } });
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(4);
  });

  it('stops polling on unmount', async () => {
    fetch.mockReturnValue(operation({ pending: 4 }));

    const { unmount } = renderHook(() => useOperationVerify('op_01JRETRY0000', 3000, 60_000));
    await tick(0);
    unmount();
    await tick(30_000);

    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('says the service cannot tell when pending is null or the operation is gone', async () => {
    fetch.mockReturnValueOnce(operation({ pending: null }));
    const first = renderHook(() => useOperationVerify('op_01JRETRY0000'));
    await tick(0);
    expect(first.result.current?.phase).toBe('unknown');

    fetch.mockReturnValueOnce(throwError(() => ({ status: 404, data: { message: 'unknown operation' } })));
    const second = renderHook(() => useOperationVerify('op_01JOTHER0000'));
    await tick(0);
    expect(second.result.current?.phase).toBe('unknown');
  });

  it('keeps following through a failed check', async () => {
    fetch
      .mockReturnValueOnce(throwError(() => ({ status: 502, data: '' })))
      .mockReturnValue(operation({ pending: 0, refailed: 0 }));

    const { result } = renderHook(() => useOperationVerify('op_01JRETRY0000', 3000, 60_000));
    await tick(0);
    expect(result.current).toMatchObject({ phase: 'following', lastError: 'The check failed (502).' });
    await tick(3000);
    expect(result.current?.phase).toBe('through');
  });
});
