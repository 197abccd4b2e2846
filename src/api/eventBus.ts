import { lastValueFrom, OperatorFunction, throwError, timeout } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { EVENT_BUS_TIMEOUT_MS, PROXY_BASE_URL } from '../constants';

const EVENT_BUS_URL = `${PROXY_BASE_URL}/api/events`;

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface ConsumerGroupHealth {
  group: string;
  consumers: number;
  pending: number;
  /** `null` when Redis cannot compute the lag: unknown, never zero. */
  lag: number | null;
  lastDeliveredId?: string;
}

export interface StreamHealth {
  stream: string;
  length: number;
  groups: ConsumerGroupHealth[];
}

/** `GET /api/events/health` as described in EVENT_BUS_API.md; optional fields may be missing on other implementations. */
export interface EventBusHealth {
  status: HealthStatus;
  checkedAt?: string;
  redis?: { up: boolean; latencyMs?: number; version?: string };
  dlq?: {
    stream: string;
    length: number;
    oldestId?: string | null;
    newestId?: string | null;
    oldestAgeSeconds?: number | null;
    byStream?: Record<string, number>;
  };
  streams?: StreamHealth[];
}

/** The client-side deadline passed: the proxy itself never gives up on a hung upstream. */
export class EventBusTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The event bus did not answer within ${Math.round(timeoutMs / 1000)} seconds`);
    this.name = 'EventBusTimeoutError';
  }
}

/** The upstream answered 2xx with something that is not the event-bus API (wrong URL, a proxy's HTML page). */
export class EventBusResponseError extends Error {
  constructor(readonly path: string) {
    super(`The answer from ${path} is not what the event-bus API returns`);
    this.name = 'EventBusResponseError';
  }
}

interface RequestOptions {
  timeoutMs?: number;
}

/**
 * Reads the event bus's health through the app's proxy route. A 503 that carries a health body (Redis down) is an
 * answer, not a failure, so it resolves with `status: "down"`; every other failure rejects with a `FetchError`
 * or an `EventBusTimeoutError`.
 */
export async function getEventBusHealth({
  timeoutMs = EVENT_BUS_TIMEOUT_MS,
}: RequestOptions = {}): Promise<EventBusHealth> {
  try {
    const response = await lastValueFrom(
      getBackendSrv()
        .fetch<EventBusHealth>({ url: `${EVENT_BUS_URL}/health`, method: 'GET', showErrorAlert: false })
        .pipe(withDeadline(timeoutMs))
    );
    if (!isHealth(response.data)) {
      throw new EventBusResponseError('/api/events/health');
    }
    return response.data;
  } catch (error) {
    if (isFetchError(error) && error.status === 503 && isHealth(error.data) && error.data.status === 'down') {
      return error.data;
    }
    throw error;
  }
}

// Unsubscribing on timeout also aborts the underlying fetch.
function withDeadline<T>(timeoutMs: number): OperatorFunction<T, T> {
  return timeout({ first: timeoutMs, with: () => throwError(() => new EventBusTimeoutError(timeoutMs)) });
}

const HEALTH_STATUSES: readonly unknown[] = ['ok', 'degraded', 'down'] satisfies HealthStatus[];

function isHealth(data: unknown): data is EventBusHealth {
  return typeof data === 'object' && data !== null && HEALTH_STATUSES.includes((data as EventBusHealth).status);
}
