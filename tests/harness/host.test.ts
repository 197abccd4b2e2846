// The host page's stand-ins for Grafana's frontend (tests/harness/host), pinned to Grafana's behaviour: backendSrv
// against a small loopback server, and the EmbeddedDashboard stand-in's pure parts (the browser tests cover the rest).
//
// @grafana/data and @grafana/runtime read `window` and `document` when they load, so this file gives them a jsdom
// window first and imports them (and the stand-ins) dynamically afterwards. Requests still go through Node's fetch.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import type { BusEvent, EventBus } from '@grafana/data';
import type { FetchError } from '@grafana/runtime';
import { JSDOM } from 'jsdom';

type BackendSrvModule = typeof import('./host/backendSrv');
type DashboardModule = typeof import('./host/dashboard');

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://127.0.0.1/' });
const matchMedia = () => ({
  matches: false,
  addListener() {},
  removeListener() {},
  addEventListener() {},
  removeEventListener() {},
});
Object.assign(dom.window, {
  matchMedia,
  grafanaBootData: { settings: {}, user: { orgId: 1, isSignedIn: true }, navTree: [] },
});
Object.assign(globalThis, {
  window: dom.window,
  document: dom.window.document,
  navigator: dom.window.navigator,
  localStorage: dom.window.localStorage,
  HTMLElement: dom.window.HTMLElement,
  Element: dom.window.Element,
  Node: dom.window.Node,
  CustomEvent: dom.window.CustomEvent,
  getComputedStyle: dom.window.getComputedStyle,
  devicePixelRatio: 1,
  matchMedia,
});
// @grafana/ui, which @grafana/runtime loads, requires CSS files; the bundler loads them in the browser.
require.extensions['.css'] = () => {};

let runtime: typeof import('@grafana/runtime');
let grafanaData: typeof import('@grafana/data');
let host: BackendSrvModule;
let dashboard: DashboardModule;

let server: http.Server;
let base: string;
let closedBase: string;
const requests: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

const AUTH = 'Bearer harness-Editor';

function startServer(): Promise<http.Server> {
  const s = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const json = (status: number, value: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path === '/api/empty-502') {
        response.writeHead(502).end();
      } else if (path === '/api/empty-200') {
        response.writeHead(200).end();
      } else if (path === '/api/text-500') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('upstream said no');
      } else if (path === '/api/error-only-400') {
        json(400, { error: 'bad input' });
      } else if (path === '/api/json-400') {
        json(400, { message: 'Stream name is invalid' });
      } else if (path === '/api/json-as-text') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('{"n":1}');
      } else if (path === '/api/saved') {
        json(200, { message: 'Saved', id: 7 });
      } else if (path === '/api/slow') {
        // Bounded: answers after 3 s if nobody cancels it first.
        const timer = setTimeout(() => json(200, { late: true }), 3000);
        response.on('close', () => clearTimeout(timer));
      } else {
        json(200, { method: request.method, url: request.url });
      }
    });
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

/** A fake appEvents that records what is published on it. */
function recordingAppEvents() {
  const published: BusEvent[] = [];
  const events = { publish: (event: BusEvent) => published.push(event) } as unknown as EventBus;
  return { published, events };
}

function backendSrv(appEvents: EventBus, baseUrl = base) {
  return host.createBackendSrv(AUTH, { getAppEvents: () => appEvents, baseUrl });
}

/** Past Grafana's 50 ms toast delay. */
const afterToastDelay = () => new Promise((resolve) => setTimeout(resolve, 120));

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the request to fail');
}

before(async () => {
  grafanaData = await import('@grafana/data');
  runtime = await import('@grafana/runtime');
  host = await import('./host/backendSrv');
  dashboard = await import('./host/dashboard');
  server = await startServer();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const closed = await startServer();
  closedBase = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise((resolve) => closed.close(resolve));
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dom.window.close();
});

describe('backendSrv stand-in (public/app/core/services/backend_srv.ts)', () => {
  it('network failure rejects with the TypeError itself, data { message: "Unexpected error" }, not a FetchError', async () => {
    const { published, events } = recordingAppEvents();
    const error = await rejection(backendSrv(events, closedBase).get('/api/anything'));
    assert.ok(error instanceof TypeError);
    assert.equal(runtime.isFetchError(error), false);
    assert.equal('status' in error, false);
    assert.deepEqual((error as TypeError & { data: unknown }).data, { message: 'Unexpected error' });
    await afterToastDelay();
    // showErrorAlert: "Unexpected error" gives way to err.message; no status, so not < 500: an error toast.
    assert.deepEqual(published, [
      { type: grafanaData.AppEvents.alertError.name, payload: [error.message, '', undefined] },
    ]);
  });

  it('a newer request with the same requestId ends the older one with the cancelled error, and no toast', async () => {
    const { published, events } = recordingAppEvents();
    const srv = backendSrv(events);
    const first = new Promise<unknown>((resolve) =>
      srv.fetch({ url: '/api/slow', requestId: 'dlq-list' }).subscribe({ next: resolve, error: resolve })
    );
    const second = srv.request<{ method: string }>({ url: '/api/echo', requestId: 'dlq-list' });
    const cancelled = (await first) as Record<string, unknown>;
    assert.deepEqual(cancelled, {
      type: 'cancelled',
      cancelled: true,
      data: null,
      status: -1,
      statusText: 'Request was aborted',
      config: cancelled.config,
    });
    assert.equal((cancelled.config as { requestId: string }).requestId, 'dlq-list');
    assert.equal((await second).method, 'GET');
    await afterToastDelay();
    assert.deepEqual(published, []);
  });

  it('resolveCancelerIfExists cancels the same way; cancelAllInFlightRequests cancels every request', async () => {
    const { published, events } = recordingAppEvents();
    const srv = backendSrv(events);
    const pending = rejection(srv.request({ url: '/api/slow', requestId: 'verify-1' }));
    srv.resolveCancelerIfExists('verify-1');
    assert.deepEqual(
      { ...(await pending), config: undefined },
      {
        type: 'cancelled',
        cancelled: true,
        data: null,
        status: -1,
        statusText: 'Request was aborted',
        config: undefined,
      }
    );
    const any = rejection(srv.request({ url: '/api/slow' }));
    srv.cancelAllInFlightRequests();
    assert.equal((await any).cancelled, true);
    await afterToastDelay();
    assert.deepEqual(published, []);
  });

  it('unsubscribing aborts the request silently: nothing emitted, no error, no toast', async () => {
    const { published, events } = recordingAppEvents();
    const seen: string[] = [];
    const subscription = backendSrv(events)
      .fetch({ url: '/api/slow' })
      .subscribe({
        next: () => seen.push('next'),
        error: () => seen.push('error'),
        complete: () => seen.push('complete'),
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    await afterToastDelay();
    assert.deepEqual(seen, []);
    assert.deepEqual(published, []);
  });

  it('an empty 502 gives data { message: "Bad Gateway", error: "Bad Gateway", response: "" } and an error toast', async () => {
    const { published, events } = recordingAppEvents();
    const error: FetchError = await rejection(backendSrv(events).get('/api/empty-502'));
    assert.equal(runtime.isFetchError(error), true);
    assert.equal(error.status, 502);
    assert.equal(error.statusText, 'Bad Gateway');
    assert.deepEqual(error.data, { message: 'Bad Gateway', error: 'Bad Gateway', response: '' });
    assert.equal(error.config.url, 'api/empty-502', 'Grafana strips the leading / of a local URL in place');
    await afterToastDelay();
    assert.deepEqual(published, [
      { type: grafanaData.AppEvents.alertError.name, payload: ['Bad Gateway', '', undefined] },
    ]);
  });

  it('a text error body is wrapped as { message, error: statusText, response }; a lone `error` becomes the message', async () => {
    const { events } = recordingAppEvents();
    const text: FetchError = await rejection(backendSrv(events).get('/api/text-500'));
    assert.deepEqual(text.data, {
      message: 'upstream said no',
      error: 'Internal Server Error',
      response: 'upstream said no',
    });
    const errorOnly: FetchError = await rejection(backendSrv(events).get('/api/error-only-400'));
    assert.deepEqual(errorOnly.data, { error: 'bad input', message: 'bad input' });
  });

  it('error toasts: a warning below 500, none with showErrorAlert: false, none when the caller sets isHandled', async () => {
    const { published, events } = recordingAppEvents();
    const srv = backendSrv(events);
    await rejection(srv.get('/api/json-400'));
    await rejection(srv.request({ url: '/api/json-400', showErrorAlert: false }));
    const handled: FetchError = await rejection(srv.get('/api/json-400'));
    handled.isHandled = true;
    await afterToastDelay();
    assert.deepEqual(published, [
      { type: grafanaData.AppEvents.alertWarning.name, payload: ['Stream name is invalid', '', undefined] },
    ]);
  });

  it('success toasts: data.message for a non-GET local request, none for GET or showSuccessAlert: false', async () => {
    const { published, events } = recordingAppEvents();
    const srv = backendSrv(events);
    assert.deepEqual(await srv.post('/api/saved', { a: 1 }), { message: 'Saved', id: 7 });
    await srv.get('/api/saved');
    await srv.post('/api/saved', {}, { showSuccessAlert: false });
    await afterToastDelay();
    assert.deepEqual(published, [{ type: grafanaData.AppEvents.alertSuccess.name, payload: ['Saved'] }]);
  });

  it('toasts go to getAppEvents() from @grafana/runtime, read when raised, and onto window.__harnessToasts', async () => {
    const { published, events } = recordingAppEvents();
    const srv = host.createBackendSrv(AUTH, { baseUrl: base });
    runtime.setAppEvents(events);
    const before = host.harnessToasts().length;
    await rejection(srv.get('/api/json-400'));
    await afterToastDelay();
    assert.deepEqual(published, [
      { type: grafanaData.AppEvents.alertWarning.name, payload: ['Stream name is invalid', '', undefined] },
    ]);
    assert.deepEqual(host.harnessToasts().slice(before), [{ type: 'alert-warning', text: 'Stream name is invalid' }]);
  });

  it('params drop undefined and empty values and repeat array keys', async () => {
    const { events } = recordingAppEvents();
    const answer = await backendSrv(events).get<{ url: string }>('/api/echo', {
      limit: 50,
      after: undefined,
      q: '',
      stream: ['orders', 'pay ments'],
      none: [],
      flag: false,
    });
    assert.equal(answer.url, '/api/echo?limit=50&stream=orders&stream=pay%20ments&flag=false');
  });

  it('bodies: objects as JSON with content-type application/json for POST, PUT and PATCH; strings as they are', async () => {
    const { events } = recordingAppEvents();
    const srv = backendSrv(events);
    requests.length = 0;
    await srv.post('/api/echo', { reason: 'replay' });
    await srv.put('/api/echo', 'raw text');
    await srv.patch('/api/echo', [1, 2]);
    assert.deepEqual(
      requests.map(({ method, headers, body }) => [method, headers['content-type'], body]),
      [
        ['POST', 'application/json', '{"reason":"replay"}'],
        ['PUT', 'application/json', 'raw text'],
        ['PATCH', 'application/json', '[1,2]'],
      ]
    );
  });

  it('headers: the harness bearer, X-Grafana-Org-Id, and a caller Authorization moved to X-DS-Authorization', async () => {
    const { events } = recordingAppEvents();
    requests.length = 0;
    await backendSrv(events).get('/api/echo', undefined, undefined, { headers: { Authorization: 'Bearer mine' } });
    const [{ headers }] = requests;
    assert.equal(headers.authorization, AUTH);
    assert.equal(headers['x-ds-authorization'], 'Bearer mine');
    assert.equal(headers['x-grafana-org-id'], '1');
    assert.equal(headers.accept, 'application/json, text/plain, */*');
  });

  it('response bodies: an empty 2xx body is "", text that parses as JSON is parsed', async () => {
    const { events } = recordingAppEvents();
    const srv = backendSrv(events);
    const empty = await lastResponse(srv.fetch({ url: '/api/empty-200' }));
    assert.equal(empty.data, '');
    assert.equal(empty.ok, true);
    assert.deepEqual(await srv.get('/api/json-as-text'), { n: 1 });
  });

  it('datasourceRequest resolves with the whole response', async () => {
    const { events } = recordingAppEvents();
    const response = await backendSrv(events).datasourceRequest<{ method: string }>({ url: '/api/echo' });
    assert.equal(response.status, 200);
    assert.equal(response.data.method, 'GET');
    assert.equal(response.config.url, 'api/echo');
  });
});

function lastResponse<T>(observable: import('rxjs').Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => observable.subscribe({ next: resolve, error: reject }));
}

describe('EmbeddedDashboard stand-in (public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx)', () => {
  const json = {
    uid: 'opsdesk-event-bus',
    title: 'Event bus',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    refresh: '30s',
    panels: [],
  };

  it('onStateChange gets urlUtil.renderUrl("", state): a leading ?, from, to, then timezone and refresh when set', () => {
    assert.equal(dashboard.embeddedStateString(grafanaData, { from: 'now-6h', to: 'now' }), '?from=now-6h&to=now');
    assert.equal(
      dashboard.embeddedStateString(grafanaData, dashboard.initialDashboardState(grafanaData, json)),
      '?from=now-1h&to=now&timezone=browser&refresh=30s'
    );
  });

  it('initialState overrides the dashboard as syncStateFromSearchParams does', () => {
    const state = (initialState: string) => dashboard.initialDashboardState(grafanaData, json, initialState);
    assert.deepEqual(state('?from=now-15m&to=now'), {
      from: 'now-15m',
      to: 'now',
      timezone: 'browser',
      refresh: '30s',
    });
    assert.equal(state('?from=1700000000000&to=now').from, '2023-11-14T22:13:20.000Z');
    assert.equal(state('?timezone=utc').timezone, 'browser', 'without from or to the time range ignores the URL');
    assert.equal(state('?from=now-5m&timezone=utc').timezone, 'utc');
  });

  it('initialState is applied once per loaded uid; a later one for the same uid is ignored', () => {
    const first = dashboard.loadedState(grafanaData, undefined, json, '?from=now-15m&to=now');
    const again = dashboard.loadedState(grafanaData, first, json, '?from=now-7d&to=now');
    assert.equal(again, first);
    assert.equal(again.state.from, 'now-15m');
    const other = dashboard.loadedState(grafanaData, first, { ...json, uid: 'other' }, '?from=now-7d&to=now');
    assert.equal(other.state.from, 'now-7d');
  });
});
