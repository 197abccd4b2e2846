import { lastValueFrom, OperatorFunction, throwError, timeout } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { EVENT_BUS_TIMEOUT_MS, PROXY_BASE_URL } from '../constants';
import {
  invalidEntriesOf,
  isRecord,
  stringOr,
  numberOr,
  isDlqEntry,
  isDlqGroups,
  isDlqPage,
  isOperation,
  isHealth,
  isStopResult,
} from './eventBusResponses';
import {
  EventBusHealth,
  DlqEntry,
  DlqGroups,
  DlqPage,
  DlqQuery,
  DlqSelection,
  MutationResult,
  DlqOperation,
  DlqStopResult,
} from './eventBusTypes';

const EVENT_BUS_URL = `${PROXY_BASE_URL}/api/events`;

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

interface CancellableRequestOptions extends RequestOptions {
  /** A later request with the same id cancels this one in Grafana's backend service (a superseded read). */
  requestId?: string;
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

/** Mutations can move 100,000 entries; they get a longer deadline than reads. */
export const MUTATION_TIMEOUT_MS = 60_000;

/** Lists one page of the DLQ, oldest first. Only the given query parameters are sent. */
export async function listDlq(
  query: DlqQuery,
  { timeoutMs = EVENT_BUS_TIMEOUT_MS, requestId }: CancellableRequestOptions = {}
): Promise<DlqPage> {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(query)) {
    // An empty type names the group of entries without one; any other empty filter is no filter.
    if (value !== undefined && (value !== '' || key === 'type')) {
      params[key] = value;
    }
  }
  const response = await lastValueFrom(
    getBackendSrv()
      .fetch<unknown>({ url: `${EVENT_BUS_URL}/dlq`, method: 'GET', params, showErrorAlert: false, requestId })
      .pipe(withDeadline(timeoutMs))
  );
  if (!isDlqPage(response.data)) {
    throw new EventBusResponseError('/api/events/dlq');
  }
  return response.data;
}

/** The DLQ by failure group (origin stream, message type, failure class), largest first; `stream` narrows it. */
export async function listDlqGroups(
  query: { stream?: string; limit?: number } = {},
  { timeoutMs = EVENT_BUS_TIMEOUT_MS, requestId }: CancellableRequestOptions = {}
): Promise<DlqGroups> {
  const params: Record<string, string | number> = {};
  if (query.stream) {
    params.stream = query.stream;
  }
  if (query.limit !== undefined) {
    params.limit = query.limit;
  }
  const response = await lastValueFrom(
    getBackendSrv()
      .fetch<unknown>({ url: `${EVENT_BUS_URL}/dlq/groups`, method: 'GET', params, showErrorAlert: false, requestId })
      .pipe(withDeadline(timeoutMs))
  );
  if (!isDlqGroups(response.data)) {
    throw new EventBusResponseError('/api/events/dlq/groups');
  }
  return response.data;
}

/** Retries entries back to their origin streams. The key makes a re-send of the same action return its first answer. */
export function retryDlq(
  selection: DlqSelection,
  idempotencyKey: string,
  options: RequestOptions = {}
): Promise<MutationResult> {
  return mutate('retry', selection, idempotencyKey, options);
}

/** Deletes entries for good: exactly the IDs given, or those up to an ID; never "everything". */
export function purgeDlq(
  selection: DlqSelection,
  idempotencyKey: string,
  options: RequestOptions = {}
): Promise<MutationResult> {
  return mutate('purge', selection, idempotencyKey, options);
}

/**
 * Asks every retry and purge running on the DLQ, in any replica of the event bus, to stop after its current batch.
 * Each stopped one answers its own request with outcome `stopped` and exact counts. Safe to repeat.
 */
export async function stopDlqOperations({
  timeoutMs = EVENT_BUS_TIMEOUT_MS,
}: RequestOptions = {}): Promise<DlqStopResult> {
  const response = await lastValueFrom(
    getBackendSrv()
      .fetch<unknown>({
        url: `${EVENT_BUS_URL}/dlq/stop`,
        method: 'POST',
        // The stop takes no parameters; Grafana labels the POST as JSON either way.
        data: {},
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(withDeadline(timeoutMs))
  );
  if (!isStopResult(response.data)) {
    throw new EventBusResponseError('/api/events/dlq/stop');
  }
  return response.data;
}

/** GETs one resource under the event-bus API and checks its shape; `path` names it in errors. */
async function getChecked<T>(
  path: string,
  id: string,
  isValid: (data: unknown) => data is T,
  { timeoutMs = EVENT_BUS_TIMEOUT_MS, requestId }: CancellableRequestOptions
): Promise<T> {
  const response = await lastValueFrom(
    getBackendSrv()
      .fetch<unknown>({
        url: `${EVENT_BUS_URL}${path.slice('/api/events'.length)}/${encodeURIComponent(id)}`,
        method: 'GET',
        showErrorAlert: false,
        requestId,
      })
      .pipe(withDeadline(timeoutMs))
  );
  if (!isValid(response.data)) {
    throw new EventBusResponseError(path);
  }
  return response.data;
}

/** Reads an operation's record: how many of its retried messages are still pending or came back. */
export function getOperation(operationId: string, options: CancellableRequestOptions = {}): Promise<DlqOperation> {
  return getChecked('/api/events/dlq/operations', operationId, isOperation, options);
}

/** Reads one DLQ entry with its whole payload (redacted, up to the service's full-read limit). */
export function getDlqEntry(id: string, options: CancellableRequestOptions = {}): Promise<DlqEntry> {
  return getChecked('/api/events/dlq/entries', id, isDlqEntry, options);
}

async function mutate(
  action: 'retry' | 'purge',
  selection: DlqSelection,
  idempotencyKey: string,
  { timeoutMs = MUTATION_TIMEOUT_MS }: RequestOptions
): Promise<MutationResult> {
  const path = `/api/events/dlq/${action}`;
  // The service rejects unknown fields and coerces nothing: send exactly the documented shape.
  const data =
    'ids' in selection
      ? { ids: selection.ids }
      : {
          upToId: selection.upToId,
          ...(selection.stream ? { stream: selection.stream } : {}),
          ...(selection.type !== undefined ? { type: selection.type } : {}),
          ...(selection.failureClass !== undefined ? { failureClass: selection.failureClass } : {}),
        };
  const countField = action === 'retry' ? 'retried' : 'purged';
  try {
    const response = await lastValueFrom(
      getBackendSrv()
        .fetch<unknown>({
          url: `${EVENT_BUS_URL}/dlq/${action}`,
          method: 'POST',
          data: action === 'purge' ? { confirm: 'purge', ...data } : data,
          headers: { 'Idempotency-Key': idempotencyKey },
          showErrorAlert: false,
          showSuccessAlert: false,
        })
        .pipe(withDeadline(timeoutMs))
    );
    const body = response.data;
    if (
      !isRecord(body) ||
      (body.outcome !== 'ok' && body.outcome !== 'stopped') ||
      typeof body[countField] !== 'number'
    ) {
      throw new EventBusResponseError(path);
    }
    return {
      operationId: stringOr(body.operationId),
      outcome: body.outcome,
      done: body[countField] as number,
      skipped: numberOr(body.skipped, 0),
      remaining: typeof body.remaining === 'number' ? body.remaining : undefined,
      upToId: typeof body.upToId === 'string' ? body.upToId : null,
      ...(typeof body.invalidCount === 'number' && body.invalidCount > 0
        ? { invalidCount: body.invalidCount, invalid: invalidEntriesOf(body.invalid) }
        : {}),
    };
  } catch (error) {
    if (isFetchError(error) && error.status === 503 && isRecord(error.data)) {
      const body = error.data;
      if (body.outcome === 'unknown' || body.outcome === 'partial') {
        return {
          operationId: stringOr(body.operationId),
          outcome: body.outcome,
          done: numberOr(body[countField], 0),
          skipped: numberOr(body.skipped, 0),
          message: stringOr(body.message),
        };
      }
    }
    throw error;
  }
}

// The app and the nested panel are separate bundles, each with its own copy of this module: a counter alone gives
// the live block and the dashboard's panel beside it the same ids, and each would cancel the other's reads.
const bundleNonce = Math.random().toString(36).slice(2, 10);
let requestIds = 0;

/**
 * A `requestId` for one view's reads, shared with no other view on the page: Grafana's backend service cancels an
 * in-flight request when a newer one starts with the same id.
 */
export function newRequestId(kind: string): string {
  return `opsdesk-${kind}-${bundleNonce}-${++requestIds}`;
}

/** Grafana's backend service ends a request superseded by a later one with the same `requestId` this way. */
export function isCancelled(error: unknown): boolean {
  return isRecord(error) && error.cancelled === true;
}

// Unsubscribing on timeout also aborts the underlying fetch.
function withDeadline<T>(timeoutMs: number): OperatorFunction<T, T> {
  return timeout({ first: timeoutMs, with: () => throwError(() => new EventBusTimeoutError(timeoutMs)) });
}
