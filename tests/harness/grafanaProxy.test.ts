import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import grafanaContext from '../../event-bus/test/fixtures/x-grafana-context.json';
import pluginJson from '../../plugin.json';
import { createGrafanaState } from './api/state';
import { grafanaApiHandler } from './grafanaApi';
import {
  actionsOf,
  GrafanaProxyOptions,
  matchRoutePath,
  PluginJson,
  ProxyUser,
  renderTemplate,
  RunningProxy,
  startGrafanaProxy,
} from './grafanaProxy';

const USERS: Record<string, ProxyUser> = {
  viewer: { login: 'vera', role: 'Viewer' },
  editor: { login: 'ed', role: 'Editor' },
  admin: { login: 'ada', role: 'Admin' },
  bot: { login: 'sa-1-opsdesk-bot', name: 'opsdesk-bot', role: 'Editor', kind: 'service-account' },
  anonymous: { login: 'anonymous', role: 'Viewer', kind: 'anonymous' },
  root: { login: 'root', role: 'Viewer', isGrafanaAdmin: true },
};

/** Keys in order, each with its JSON type: what a consumer of the header can rely on. */
function shape(value: Record<string, unknown>): string[] {
  return Object.entries(value).map(
    ([key, v]) => `${key}:${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`
  );
}

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('grafanaProxy', () => {
  let upstream: http.Server;
  let proxy: RunningProxy;
  let seen: Seen[] = [];

  before(async () => {
    upstream = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' });
        response.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    proxy = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: `http://127.0.0.1:${port}` },
      secureJsonData: { eventBusToken: 'service-token' },
      users: USERS,
    });
  });

  after(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  async function call(path: string, token: string, init: RequestInit = {}) {
    seen = [];
    const response = await fetch(`${proxy.url}/api/plugin-proxy/opsdesk-runbooks-app${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, cookie: 'grafana_session=abc', ...init.headers },
    });
    return { status: response.status, body: await response.text() };
  }

  type Through = (path: string, token: string, headers?: Record<string, string>) => Promise<Response>;

  /** A proxy of the test's own, with plugin.json and the users above unless told otherwise; closed afterwards. */
  async function withProxy(
    options: Partial<GrafanaProxyOptions> & Pick<GrafanaProxyOptions, 'jsonData'>,
    use: (through: Through) => Promise<void>
  ) {
    const own = await startGrafanaProxy({ pluginJson, secureJsonData: {}, users: USERS, ...options });
    try {
      await use((path, token, headers = {}) =>
        fetch(`${own.url}/api/plugin-proxy/opsdesk-runbooks-app${path}`, {
          headers: { authorization: `Bearer ${token}`, ...headers },
        })
      );
    } finally {
      await own.close();
    }
  }

  /** The upstream's URL, for routes a test writes itself. */
  const upstreamUrl = () => `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

  it('forwards a read with the service token, the query string and the user, without cookies', async () => {
    const response = await call('/api/events/dlq?limit=5&stream=%7Bevents%7D%3Aorders', 'viewer');

    assert.equal(response.status, 200);
    assert.equal(seen[0].url, '/api/events/dlq?limit=5&stream=%7Bevents%7D%3Aorders');
    assert.equal(seen[0].headers.authorization, 'Bearer service-token');
    assert.equal(seen[0].headers.cookie, undefined);
    assert.equal(JSON.parse(String(seen[0].headers['x-grafana-context'])).Login, 'vera');
  });

  it("sends X-Grafana-Context in the shape of Grafana's SignedInUser, for a user, a service account and anonymous", async () => {
    const sent = async (token: string) => {
      await call('/api/events/health', token);
      return JSON.parse(String(seen[0].headers['x-grafana-context'])) as Record<string, unknown>;
    };
    const editor = await sent('editor');
    assert.deepEqual(shape(editor), shape(grafanaContext.editor));
    assert.deepEqual([editor.Login, editor.OrgRole, editor.IsServiceAccount], ['ed', 'Editor', false]);
    const bot = await sent('bot');
    assert.deepEqual(shape(bot), shape(grafanaContext.serviceAccount));
    assert.deepEqual([bot.Login, bot.IsServiceAccount, bot.AuthenticatedBy], ['sa-1-opsdesk-bot', true, 'apikey']);
    const anonymous = await sent('anonymous');
    assert.deepEqual(shape(anonymous), shape(grafanaContext.anonymousViewer));
    assert.deepEqual([anonymous.Login, anonymous.UserID, anonymous.IsAnonymous], ['', 0, true]);
  });

  it('removes a client-sent X-Grafana-User; with sendUserHeader it sends the login of a real user only', async () => {
    await call('/api/events/health', 'editor', { headers: { 'x-grafana-user': 'admin' } });
    assert.equal(seen[0].headers['x-grafana-user'], undefined);

    const options = { jsonData: { eventBusUrl: upstreamUrl() }, sendUserHeader: true };
    await withProxy(options, async (through) => {
      const userOf = async (token: string) => {
        seen = [];
        await through('/api/events/health', token, { 'x-grafana-user': 'admin' });
        return seen[0].headers['x-grafana-user'];
      };
      assert.equal(await userOf('editor'), 'ed');
      assert.equal(await userOf('bot'), undefined);
      assert.equal(await userOf('anonymous'), undefined);
    });
  });

  it("never forwards the caller's Authorization, even on a route that sets none", async () => {
    const open: PluginJson = { id: 'opsdesk-runbooks-app', routes: [{ path: 'open', url: `${upstreamUrl()}/` }] };
    await withProxy({ pluginJson: open, jsonData: {} }, async (through) => {
      seen = [];
      const response = await through('/open', 'viewer');
      assert.equal(response.status, 200);
      assert.equal(seen[0].headers.authorization, undefined);
    });
  });

  it('replaces the client origin headers as Grafana does, and sends the route host', async () => {
    await call('/api/events/health', 'viewer', {
      headers: {
        origin: 'http://evil.test',
        referer: 'http://grafana.test/d/x',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.9',
      },
    });
    const { port } = upstream.address() as AddressInfo;
    const headers = seen[0].headers;
    assert.equal(headers.origin, undefined);
    assert.equal(headers.referer, undefined);
    assert.equal(headers['x-forwarded-host'], undefined);
    assert.equal(headers['x-forwarded-proto'], undefined);
    assert.equal(headers['x-grafana-referer'], 'http://grafana.test/d/x');
    assert.match(String(headers['x-forwarded-for']), /^203\.0\.113\.9, (::ffff:)?127\.0\.0\.1$/);
    assert.equal(headers.host, `127.0.0.1:${port}`);
  });

  it("drops the upstream's cookies and sandboxes its answer", async () => {
    const response = await fetch(`${proxy.url}/api/plugin-proxy/opsdesk-runbooks-app/api/events/health`, {
      headers: { authorization: 'Bearer viewer' },
    });
    assert.equal(response.headers.get('set-cookie'), null);
    assert.equal(response.headers.get('content-security-policy'), 'sandbox');
  });

  it('matches a path with a trailing slash or an escaped segment, as the route tree does', async () => {
    assert.equal((await call('/api/events/dlq/', 'viewer')).status, 200);
    assert.equal(seen[0].url, '/api/events/dlq');
    assert.equal((await call('/api/events/%64lq', 'viewer')).status, 200);
    assert.equal(seen[0].url, '/api/events/dlq');
  });

  it('forwards the captured rest of a * route', async () => {
    await call('/api/events/dlq/operations/op_123', 'viewer');
    assert.equal(seen[0].url, '/api/events/dlq/operations/op_123');
  });

  it('lets an Editor retry with the body intact, and refuses a Viewer with 403 before the upstream', async () => {
    const body = JSON.stringify({ upToId: '1-0' });
    const init = { method: 'POST', body, headers: { 'content-type': 'application/json' } };

    assert.equal((await call('/api/events/dlq/retry', 'editor', init)).status, 200);
    assert.equal(seen[0].body, body);

    const denied = await call('/api/events/dlq/retry', 'viewer', init);
    assert.equal(denied.status, 403);
    assert.match(denied.body, /plugin proxy route access denied/);
    assert.equal(seen.length, 0);
  });

  it("gives a Grafana server admin only their org role's plugin grants: a server admin who is a Viewer cannot retry", async () => {
    const init = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
    assert.equal((await call('/api/events/dlq/retry', 'root', init)).status, 403);
  });

  it('lets a Grafana server admin through a reqRole route whatever their org role, as SignedInUser.HasRole does', async () => {
    const byRole: PluginJson = {
      id: 'opsdesk-runbooks-app',
      routes: [{ path: 'admin', reqRole: 'Admin', url: `${upstreamUrl()}/` }],
    };
    await withProxy({ pluginJson: byRole, jsonData: {} }, async (through) => {
      assert.equal((await through('/admin', 'root')).status, 200);
      assert.equal((await through('/admin', 'editor')).status, 403);
      assert.equal((await through('/admin', 'admin')).status, 200);
    });
  });

  it('uses the first route whose method and path match, with no fallback when it refuses', async () => {
    const twoRoutes: PluginJson = {
      id: 'opsdesk-runbooks-app',
      roles: pluginJson.roles,
      routes: [
        { path: 'thing', method: 'GET', reqAction: 'opsdesk-runbooks-app.dlq:purge', url: `${upstreamUrl()}/` },
        { path: 'thing', method: 'GET', url: `${upstreamUrl()}/` },
      ],
    };
    await withProxy({ pluginJson: twoRoutes, jsonData: {} }, async (through) => {
      assert.equal((await through('/thing', 'editor')).status, 403);
      assert.equal((await through('/thing', 'admin')).status, 200);
    });
  });

  it('lets an Editor and an Admin stop a running retry or purge with the service token, and refuses a Viewer', async () => {
    // As curl sends it: no body, no content type; and as the panel sends it: {} as JSON.
    const bare = await call('/api/events/dlq/stop', 'editor', { method: 'POST' });
    assert.equal(bare.status, 200);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].url, '/api/events/dlq/stop');
    assert.equal(seen[0].headers.authorization, 'Bearer service-token');
    assert.equal(JSON.parse(String(seen[0].headers['x-grafana-context'])).Login, 'ed');
    const init = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
    assert.equal((await call('/api/events/dlq/stop', 'admin', init)).status, 200);
    assert.equal(seen[0].body, '{}');

    const denied = await call('/api/events/dlq/stop', 'viewer', init);
    assert.equal(denied.status, 403);
    assert.match(denied.body, /plugin proxy route access denied/);
    assert.equal(seen.length, 0);
  });

  it('lets only an Admin purge', async () => {
    const init = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
    assert.equal((await call('/api/events/dlq/purge', 'editor', init)).status, 403);
    assert.equal((await call('/api/events/dlq/purge', 'admin', init)).status, 200);
  });

  it('matches methods exactly: a GET to a POST route finds no route', async () => {
    const response = await call('/api/events/dlq/retry', 'admin');
    assert.equal(response.status, 404);
    assert.match(response.body, /plugin route match not found/);
  });

  it('does not clean the path: dot segments match no route, so they reach nothing', async () => {
    // fetch and URL strings resolve the dots themselves; a raw path is sent as a hand-made client would send it.
    seen = [];
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(proxy.url);
      const request = http.request(
        {
          hostname,
          port,
          path: '/api/plugin-proxy/opsdesk-runbooks-app/api/events/health/../dlq/purge',
          method: 'POST',
          headers: { authorization: 'Bearer admin', 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }
      );
      request.on('error', reject);
      request.end('{}');
    });
    assert.equal(status, 404);
    assert.equal(seen.length, 0);
  });

  it('answers 404 while the app is disabled in the org', async () => {
    const options = { jsonData: { eventBusUrl: 'http://127.0.0.1:9' }, isAppEnabled: () => false };
    await withProxy(options, async (through) => {
      const response = await through('/api/events/health', 'viewer');
      assert.equal(response.status, 404);
      assert.match(await response.text(), /Plugin is not enabled/);
    });
  });

  it('answers 401 without a known token', async () => {
    assert.equal((await call('/api/events/health', 'nobody')).status, 401);
  });

  it('answers 502 with an empty body when the upstream is down', async () => {
    await withProxy({ jsonData: { eventBusUrl: 'http://127.0.0.1:9' } }, async (through) => {
      const response = await through('/api/events/health', 'viewer');
      assert.equal(response.status, 502);
      assert.equal(await response.text(), '');
    });
  });

  it('answers 502 with an empty body when the URL setting is missing or has no scheme', async () => {
    for (const jsonData of [{}, { eventBusUrl: 'event-bus:8080' }]) {
      await withProxy({ jsonData }, async (through) => {
        const response = await through('/api/events/health', 'viewer');
        assert.equal(response.status, 502, JSON.stringify(jsonData));
        assert.equal(await response.text(), '');
      });
    }
  });

  it('answers 504 with an empty body when the upstream does not accept the connection in time', async () => {
    // A listener that never accepts, its backlog of one filled: the next connection hangs in the kernel, as one
    // to a host that drops packets does. Loopback only; python3 is on every machine this runs on.
    const listener = spawn('python3', [
      '-c',
      'import socket,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)',
    ]);
    try {
      const port = await new Promise<number>((resolve) => listener.stdout.once('data', (d) => resolve(Number(d))));
      // The filler takes the one slot of the backlog before the proxy tries.
      const filler = new (await import('node:net')).Socket();
      await new Promise<void>((resolve, reject) => {
        filler.once('connect', resolve).once('error', reject);
        filler.connect(port, '127.0.0.1');
      });
      try {
        const options = { jsonData: { eventBusUrl: `http://127.0.0.1:${port}` }, connectTimeoutMs: 300 };
        await withProxy(options, async (through) => {
          const response = await through('/api/events/health', 'viewer');
          assert.equal(response.status, 504);
          assert.equal(await response.text(), '');
        });
      } finally {
        filler.destroy();
      }
    } finally {
      listener.kill();
    }
  });

  it('sends a compose network name to where the harness runs that service', async () => {
    const options = {
      jsonData: { eventBusUrl: 'http://event-bus:8080' },
      secureJsonData: { eventBusToken: 'service-token' },
      hostAliases: { 'event-bus:8080': upstreamUrl().replace('http://', '') },
    };
    await withProxy(options, async (through) => {
      seen = [];
      const response = await through('/api/events/health', 'viewer');
      assert.equal(response.status, 200);
      assert.equal(seen[0].url, '/api/events/health');
    });
  });
});

describe('route semantics', () => {
  it('matches literal, :param and * segments as Grafana does', () => {
    assert.deepEqual(matchRoutePath('api/events/dlq', '/api/events/dlq'), {});
    assert.equal(matchRoutePath('api/events/dlq', '/api/events/dlq/retry'), undefined);
    assert.deepEqual(matchRoutePath('api/events/dlq/operations/*', '/api/events/dlq/operations/op_1'), {
      rest: 'op_1',
    });
    assert.equal(matchRoutePath('api/events/dlq/operations/*', '/api/events/dlq/operations'), undefined);
    assert.equal(matchRoutePath('api/events/dlq/operations/*', '/api/events/dlq/operations/'), undefined);
    assert.deepEqual(matchRoutePath('api/:kind/health', '/api/events/health'), {});
    assert.deepEqual(matchRoutePath('api/events/dlq', '/api/events/dlq/'), {});
    assert.equal(matchRoutePath('api/events/dlq', '/api//events/dlq'), undefined);
    assert.equal(matchRoutePath('api/events/dlq', '/api/events/health/../dlq'), undefined);
  });

  it('renders settings into templates: <no value> for a missing key, nothing for an empty one', () => {
    const data = { jsonData: { eventBusUrl: 'http://bus:8080' }, secureJsonData: {} };
    assert.equal(renderTemplate('{{ .JsonData.eventBusUrl }}/x', data), 'http://bus:8080/x');
    assert.equal(renderTemplate('Bearer {{ .SecureJsonData.eventBusToken }}', data), 'Bearer <no value>');
    const empty = { jsonData: {}, secureJsonData: { eventBusToken: '' } };
    assert.equal(renderTemplate('Bearer {{ .SecureJsonData.eventBusToken }}', empty), 'Bearer ');
  });

  it('derives each basic role actions from the plugin roles, higher roles inheriting', () => {
    assert.deepEqual([...actionsOf(pluginJson, 'Viewer')].sort(), ['opsdesk-runbooks-app.dlq:read']);
    assert.ok(actionsOf(pluginJson, 'Editor').has('opsdesk-runbooks-app.dlq:retry'));
    assert.ok(!actionsOf(pluginJson, 'Editor').has('opsdesk-runbooks-app.dlq:purge'));
    assert.ok(actionsOf(pluginJson, 'Admin').has('opsdesk-runbooks-app.dlq:purge'));
  });
});

describe('Grafana API stand-ins', () => {
  let server: http.Server;
  let base: string;
  let state: ReturnType<typeof createGrafanaState>;

  before(async () => {
    state = createGrafanaState({
      jsonData: { eventBusUrl: 'http://bus:8080' },
      secureJsonData: { eventBusToken: 't' },
    });
    const api = grafanaApiHandler({
      pluginJson,
      state,
      users: USERS,
      dashboards: new Map([['opsdesk-event-bus', { uid: 'opsdesk-event-bus' }]]),
    });
    server = http.createServer(async (request, response) => {
      if (!(await api(request, response))) {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(path: string, token: string, body: unknown, method = 'POST') {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }
  const settings = '/api/plugins/opsdesk-runbooks-app/settings';

  it('lets only an org Admin save the app settings', async () => {
    const update = { enabled: true, pinned: true, jsonData: { eventBusUrl: 'http://bus:8080' } };
    assert.equal((await send(settings, 'editor', update)).status, 403);
    assert.equal((await send(settings, 'admin', update)).status, 200);
    assert.equal((await send(settings, 'admin', '{not json')).status, 400);
  });

  it('keeps a secret not sent, stores one sent empty as empty, and lists only the secrets that are not empty', async () => {
    await send(settings, 'admin', { enabled: true, pinned: true, jsonData: {}, secureJsonData: { extra: 'x' } });
    assert.equal(state.secureJsonData.eventBusToken, 't');
    await send(settings, 'admin', { enabled: true, pinned: true, jsonData: {}, secureJsonData: { eventBusToken: '' } });
    assert.equal(state.secureJsonData.eventBusToken, '');
    const read = await send(settings, 'viewer', undefined, 'GET');
    assert.deepEqual(read.body.secureJsonFields, { extra: true });
  });

  it('replaces enabled, pinned and jsonData with what was sent: a save without enabled turns the app off', async () => {
    await send(settings, 'admin', { jsonData: null });
    const read = await send(settings, 'viewer', undefined, 'GET');
    assert.deepEqual([read.body.enabled, read.body.pinned, read.body.jsonData], [false, false, null]);
    await send(settings, 'admin', { enabled: true, pinned: true, jsonData: { eventBusUrl: 'http://bus:8080' } });
    assert.equal(state.enabled, true);
  });

  it('adds an annotation for an Editor, on the dashboard it names when that dashboard exists', async () => {
    const added = await send('/api/annotations', 'editor', {
      dashboardUID: 'opsdesk-event-bus',
      time: 1,
      tags: ['dlq'],
      text: 'retried 3',
    });
    assert.deepEqual(added, { status: 200, body: { message: 'Annotation added', id: state.annotations.length } });
    assert.equal(state.annotations.at(-1)?.dashboardUID, 'opsdesk-event-bus');
  });

  it("turns an annotation on a dashboard that does not exist into the organization's", async () => {
    await send('/api/annotations', 'editor', { dashboardUID: 'no-such-dashboard', time: 1, text: 'x' });
    assert.equal(state.annotations.at(-1)?.dashboardUID, undefined);
  });

  it('refuses a Viewer, an empty text and a time that is not a number', async () => {
    const ok = { dashboardUID: 'opsdesk-event-bus', time: 1, text: 'x' };
    assert.deepEqual(await send('/api/annotations', 'viewer', ok), {
      status: 403,
      body: { message: 'Access denied to this dashboard' },
    });
    assert.equal((await send('/api/annotations', 'editor', { ...ok, text: '' })).status, 400);
    assert.equal((await send('/api/annotations', 'editor', { ...ok, time: 'now' })).status, 400);
  });
});
