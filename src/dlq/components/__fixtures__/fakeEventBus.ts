// Test support: a fake of Grafana's backend service serving the event-bus API and Grafana's own endpoints the panel
// calls. The DLQ is virtual: entries are generated from their index on demand, so a 100,000-entry DLQ costs nothing
// until it is paged, and a test can see exactly which pages the panel asked for.
import { Observable, of, throwError } from 'rxjs';
import { BackendSrvRequest, FetchResponse } from '@grafana/runtime';

import { DlqEntry, DlqGroups, EventBusHealth, FailureGroup } from 'api/eventBusTypes';

import { PLUGIN_ID, PROXY_BASE_URL } from '../../../constants';

export const BASE_MS = 1764172800000;
export const STREAMS = ['{events}:orders', '{events}:payments'];

type Handler = (request: BackendSrvRequest) => Observable<FetchResponse<unknown>>;

export interface FakeEventBus {
  fetch: jest.Mock;
  /** Every request the panel sent, in order. */
  requests: BackendSrvRequest[];
  /** Requests whose URL ends with the given path (query strings are in `params`). */
  requestsTo: (path: string) => BackendSrvRequest[];
  /** Overrides one route; the default answers as the reference service would. */
  on: (path: string, handler: Handler) => void;
  health: EventBusHealth;
  /** Largest number of entries any listing returned: a paged DLQ never hands over more than a page. */
  largestPage: number;
}

export function ok<T>(data: T, status = 200): Observable<FetchResponse<T>> {
  return of({ data, status, ok: true } as FetchResponse<T>);
}

export function fail(status: number, data: unknown = null) {
  return throwError(() => ({ status, data, statusText: '', config: { url: '' } }));
}

export function entryAt(index: number, overrides: Partial<DlqEntry> = {}): DlqEntry {
  const stream = STREAMS[index % STREAMS.length];
  return {
    id: `${BASE_MS + index}-0`,
    stream,
    originalId: `${BASE_MS - 1000 + index}-5`,
    type: index % STREAMS.length === 0 ? 'order.created' : 'payment.failed',
    reason: `ValidationError: amount must be positive (#${index})`,
    attempts: 5,
    deadLetteredAt: new Date(BASE_MS + index).toISOString(),
    payload: JSON.stringify({ orderId: `A-${index}`, amount: -1 }),
    payloadTruncated: false,
    retryOf: null,
    ...overrides,
  };
}

export function healthOf(size: number, overrides: Partial<EventBusHealth> = {}): EventBusHealth {
  return {
    status: 'ok',
    checkedAt: new Date(BASE_MS + 3600_000).toISOString(),
    redis: { up: true, latencyMs: 0.4, version: '7.0.15' },
    dlq: {
      stream: '{events}:dlq',
      length: size,
      oldestId: size ? `${BASE_MS}-0` : null,
      newestId: size ? `${BASE_MS + size - 1}-0` : null,
      oldestAgeSeconds: size ? 3600 : null,
      byStream: Object.fromEntries(STREAMS.map((stream, i) => [stream, countOf(size, i)])),
    },
    streams: [
      {
        stream: '{events}:orders',
        length: 120034,
        groups: [
          { group: 'order-workers', consumers: 3, pending: 4, lag: 10, lastDeliveredId: `${BASE_MS}-0` },
          { group: 'order-audit', consumers: 1, pending: 0, lag: null, lastDeliveredId: `${BASE_MS}-0` },
        ],
      },
    ],
    ...overrides,
  };
}

/** The service's failure class, as far as these fixtures' reasons need: numbers masked, the first line. */
export function classOf(reason: string): string {
  return (
    reason
      .split('\n')[0]
      .replace(/\b\d[\d.,]*\b/g, '<n>')
      .trim() || '(no reason)'
  );
}

/** The failure groups of the given entries, largest first, as the reference service would answer. */
export function groupsOf(entries: DlqEntry[], limit = 50): DlqGroups {
  const byKey = new Map<string, FailureGroup>();
  for (const entry of entries) {
    const failureClass = classOf(entry.reason);
    const key = JSON.stringify([entry.stream, entry.type, failureClass]);
    const ref = { id: entry.id, at: new Date(Number(entry.id.split('-')[0])).toISOString() };
    const group = byKey.get(key);
    if (group) {
      group.count++;
      group.newest = ref;
    } else {
      byKey.set(key, {
        stream: entry.stream,
        type: entry.type,
        failureClass,
        count: 1,
        oldest: ref,
        newest: ref,
        sampleId: entry.id,
        sampleReason: entry.reason,
      });
    }
  }
  const all = [...byKey.values()].sort((a, b) => b.count - a.count || a.failureClass.localeCompare(b.failureClass));
  const rest = all.slice(limit);
  return {
    snapshotId: entries.length ? entries[entries.length - 1].id : null,
    total: entries.length,
    stale: false,
    groups: all.slice(0, limit),
    other: { groups: rest.length, count: rest.reduce((sum, g) => sum + g.count, 0) },
  };
}

function countOf(size: number, streamIndex: number): number {
  return Math.floor(size / STREAMS.length) + (streamIndex < size % STREAMS.length ? 1 : 0);
}

/** A fake over a DLQ of `size` entries alternating between the two streams. */
export function createFakeEventBus(size = 57, { entry = entryAt }: { entry?: typeof entryAt } = {}): FakeEventBus {
  const requests: BackendSrvRequest[] = [];
  const handlers = new Map<string, Handler>();
  const fake: FakeEventBus = {
    fetch: jest.fn(),
    requests,
    requestsTo: (path) => requests.filter((request) => request.url.endsWith(path)),
    on: (path, handler) => handlers.set(path, handler),
    health: healthOf(size),
    largestPage: 0,
  };

  const list: Handler = ({ params = {} }) => {
    const limit = Number(params.limit ?? 50);
    const stream: string | undefined = params.stream;
    const q: string | undefined = params.q?.toLowerCase();
    const type: string | undefined = params.type;
    const failureClass: string | undefined = params.failureClass;
    const start = params.after ? Number(String(params.after).split('-')[0]) - BASE_MS + 1 : 0;
    const entries: DlqEntry[] = [];
    let index = start;
    for (; index < size && entries.length < limit; index++) {
      const candidate = entry(index);
      if (
        (!stream || candidate.stream === stream) &&
        (!q || `${candidate.type} ${candidate.reason}`.toLowerCase().includes(q)) &&
        (type === undefined || candidate.type === type) &&
        (failureClass === undefined || classOf(candidate.reason) === failureClass)
      ) {
        entries.push(candidate);
      }
    }
    fake.largestPage = Math.max(fake.largestPage, entries.length);
    const streamIndex = stream ? STREAMS.indexOf(stream) : -1;
    const groupCount = () =>
      groupsOf(all()).groups.find((g) => g.stream === stream && g.type === type && g.failureClass === failureClass)
        ?.count ?? 0;
    return ok({
      total:
        failureClass !== undefined ? groupCount() : stream ? (streamIndex < 0 ? 0 : countOf(size, streamIndex)) : size,
      snapshotId: size ? `${BASE_MS + size - 1}-0` : null,
      entries,
      nextCursor: index < size && entries.length > 0 ? entries[entries.length - 1].id : null,
    });
  };

  const all = () => Array.from({ length: size }, (_, index) => entry(index));
  const groups: Handler = ({ params = {} }) => {
    const stream: string | undefined = params.stream;
    return ok(
      groupsOf(
        all().filter((e) => !stream || e.stream === stream),
        Number(params.limit ?? 50)
      )
    );
  };

  // What a retry or purge by failure filter would cover.
  const inGroup = (filter: { stream?: string; type?: string; failureClass: string }) =>
    all().filter(
      (e) =>
        (filter.stream === undefined || e.stream === filter.stream) &&
        (filter.type === undefined || e.type === filter.type) &&
        classOf(e.reason) === filter.failureClass
    ).length;

  const defaults: Record<string, Handler> = {
    '/api/events/health': () => ok(fake.health),
    '/api/events/dlq': list,
    '/api/events/dlq/groups': groups,
    '/api/events/dlq/retry': ({ data }) =>
      ok({
        operationId: 'op_01JRETRY0000',
        outcome: 'ok',
        retried:
          'ids' in data ? data.ids.length : data.failureClass !== undefined ? inGroup(data) : fake.health.dlq?.length,
        skipped: 0,
        remaining: 3,
        upToId: 'upToId' in data ? data.upToId : null,
      }),
    '/api/events/dlq/purge': ({ data }) =>
      ok({
        operationId: 'op_01JPURGE0000',
        outcome: 'ok',
        purged: 'ids' in data ? data.ids.length : data.failureClass !== undefined ? inGroup(data) : 7,
        remaining: 0,
      }),
    // Nothing runs unless a test makes an action hang; such a test answers the stop itself.
    '/api/events/dlq/stop': () => ok({ stopRequestedAt: new Date(BASE_MS + 7200_000).toISOString(), operations: [] }),
    '/api/annotations': () => ok({ id: 1, message: 'Annotation added' }),
    [`/api/plugins/${PLUGIN_ID}/settings`]: () =>
      ok({
        enabled: true,
        jsonData: { eventBusUrl: 'http://event-bus:8080' },
        secureJsonFields: { eventBusToken: true },
      }),
  };

  fake.fetch.mockImplementation((request: BackendSrvRequest) => {
    requests.push(request);
    const path = request.url.replace(PROXY_BASE_URL, '');
    const operation = path.match(/^\/api\/events\/dlq\/operations\/(.+)$/);
    const entry = path.match(/^\/api\/events\/dlq\/entries\/(.+)$/);
    const key = operation ? '/api/events/dlq/operations' : entry ? '/api/events/dlq/entries' : path;
    const handler = handlers.get(key) ?? defaults[key];
    if (!handler) {
      return operation
        ? ok({
            operationId: decodeURIComponent(operation[1]),
            action: 'retry',
            actor: 'alice',
            startedAt: '',
            outcome: 'ok',
            retried: 1,
            refailed: 0,
            pending: 0,
          })
        : fail(404, { message: 'plugin route match not found' });
    }
    return handler(request);
  });
  return fake;
}
