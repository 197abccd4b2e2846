import { FetchError } from '@grafana/runtime';

import { EventBusResponseError, EventBusTimeoutError } from 'api/eventBus';
import { EventBusHealth } from 'api/eventBusTypes';
import { describeEventBusProblem, describeHealth } from './eventBusStatus';

function fetchError(status: number, data: unknown = ''): FetchError {
  return { status, data, config: { url: '' } };
}

describe('describeEventBusProblem', () => {
  it.each([
    [fetchError(401, { error: 'unauthorized', message: 'Missing or invalid token' }), 'unauthorized', /token/i],
    [fetchError(403, { message: 'plugin proxy route access denied' }), 'forbidden', /role/i],
    [fetchError(403, { message: 'Blocked by policy' }), 'forbidden', /Blocked by policy/],
    [fetchError(404, { message: 'plugin route match not found' }), 'route-missing', /restart Grafana/i],
    [fetchError(404, { error: 'not_found', message: 'Route GET:/x not found' }), 'not-found', /root of the event-bus/i],
    [fetchError(502), 'unreachable', /reachable from the Grafana server/i],
    [fetchError(504), 'gateway-timeout', /timed out/i],
    [fetchError(500, { error: 'internal', message: 'Redis script failed' }), 'unexpected', /Redis script failed/],
    [new EventBusTimeoutError(10_000), 'timeout', /running and not overloaded/i],
    [new EventBusResponseError('/api/events/health'), 'bad-response', /service root/i],
    [new Error('socket closed'), 'unexpected', /socket closed/],
  ])('classifies %p as %s and says what to do', (error, kind, detail) => {
    const problem = describeEventBusProblem(error);

    expect(problem.kind).toBe(kind);
    expect(problem.severity).toBe('error');
    expect(problem.detail).toMatch(detail);
  });

  it('keeps the HTTP status of answered requests', () => {
    expect(describeEventBusProblem(fetchError(401)).status).toBe(401);
    expect(describeEventBusProblem(new EventBusTimeoutError(10_000)).status).toBeUndefined();
  });

  it('names the deadline in the timeout title', () => {
    expect(describeEventBusProblem(new EventBusTimeoutError(10_000)).title).toBe(
      'No answer from the event bus within 10 seconds'
    );
  });
});

describe('describeHealth', () => {
  const base: EventBusHealth = {
    status: 'ok',
    redis: { up: true, latencyMs: 0.4, version: '7.0.15' },
    dlq: { stream: '{events}:dlq', length: 0, oldestAgeSeconds: null },
    streams: [],
  };

  it('reports a healthy bus with Redis latency and an empty DLQ', () => {
    expect(describeHealth(base)).toEqual({
      severity: 'success',
      title: 'The event bus is reachable and healthy',
      detail: 'Redis 7.0.15 answered in 0.4 ms. The DLQ holds 0 messages.',
    });
  });

  it('names the DLQ backlog, its age and the groups behind when degraded', () => {
    const message = describeHealth({
      ...base,
      status: 'degraded',
      dlq: { stream: '{events}:dlq', length: 57, oldestAgeSeconds: 3600 },
      streams: [
        {
          stream: '{events}:orders',
          length: 10,
          groups: [
            { group: 'order-workers', consumers: 3, pending: 4, lag: null },
            { group: 'audit', consumers: 1, pending: 0, lag: 0 },
          ],
        },
      ],
    });

    expect(message.severity).toBe('warning');
    expect(message.detail).toContain('The DLQ holds 57 messages, the oldest dead-lettered 1 hour ago.');
    expect(message.detail).toContain('order-workers on {events}:orders');
    expect(message.detail).not.toContain('audit');
  });

  it('says Redis is down when the service answers "down"', () => {
    const message = describeHealth({ status: 'down', redis: { up: false } });

    expect(message.severity).toBe('error');
    expect(message.title).toMatch(/cannot reach Redis/);
  });

  it('tolerates an implementation that omits the optional fields', () => {
    expect(describeHealth({ status: 'ok' }).detail).toBe('The DLQ size was not reported.');
  });
});
