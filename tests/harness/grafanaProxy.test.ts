import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import pluginJson from '../../plugin.json';
import { actionsOf, matchRoutePath, renderTemplate, RunningProxy, startGrafanaProxy } from './grafanaProxy';

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
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    proxy = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: `http://127.0.0.1:${port}` },
      secureJsonData: { eventBusToken: 'service-token' },
      users: {
        viewer: { login: 'vera', role: 'Viewer' },
        editor: { login: 'ed', role: 'Editor' },
        admin: { login: 'ada', role: 'Admin' },
      },
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

  it('forwards a read with the service token, the query string and the user, without cookies', async () => {
    const response = await call('/api/events/dlq?limit=5&stream=%7Bevents%7D%3Aorders', 'viewer');

    assert.equal(response.status, 200);
    assert.equal(seen[0].url, '/api/events/dlq?limit=5&stream=%7Bevents%7D%3Aorders');
    assert.equal(seen[0].headers.authorization, 'Bearer service-token');
    assert.equal(seen[0].headers.cookie, undefined);
    assert.equal(JSON.parse(String(seen[0].headers['x-grafana-context'])).login, 'vera');
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

  it('cleans the path before matching, so dot segments cannot reach another route', async () => {
    const response = await call('/api/events/health/../dlq/purge', 'viewer', { method: 'POST', body: '{}' });
    assert.equal(response.status, 403);
  });

  it('answers 401 without a known token', async () => {
    assert.equal((await call('/api/events/health', 'nobody')).status, 401);
  });

  it('answers 502 with an empty body when the upstream is down', async () => {
    const down = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: 'http://127.0.0.1:9' },
      secureJsonData: {},
      users: { viewer: { login: 'vera', role: 'Viewer' } },
    });
    try {
      const response = await fetch(`${down.url}/api/plugin-proxy/opsdesk-runbooks-app/api/events/health`, {
        headers: { authorization: 'Bearer viewer' },
      });
      assert.equal(response.status, 502);
      assert.equal(await response.text(), '');
    } finally {
      await down.close();
    }
  });

  it('sends a compose network name to where the harness runs that service', async () => {
    const { port } = upstream.address() as AddressInfo;
    const aliased = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: 'http://event-bus:8080' },
      secureJsonData: { eventBusToken: 'service-token' },
      users: { viewer: { login: 'vera', role: 'Viewer' } },
      hostAliases: { 'event-bus:8080': `127.0.0.1:${port}` },
    });
    try {
      seen = [];
      const response = await fetch(`${aliased.url}/api/plugin-proxy/opsdesk-runbooks-app/api/events/health`, {
        headers: { authorization: 'Bearer viewer' },
      });
      assert.equal(response.status, 200);
      assert.equal(seen[0].url, '/api/events/health');
    } finally {
      await aliased.close();
    }
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
    assert.deepEqual(matchRoutePath('api/:kind/health', '/api/events/health'), {});
  });

  it('renders settings into templates and <no value> for missing keys', () => {
    const data = { jsonData: { eventBusUrl: 'http://bus:8080' }, secureJsonData: {} };
    assert.equal(renderTemplate('{{ .JsonData.eventBusUrl }}/x', data), 'http://bus:8080/x');
    assert.equal(renderTemplate('Bearer {{ .SecureJsonData.eventBusToken }}', data), 'Bearer <no value>');
  });

  it('derives each basic role actions from the plugin roles, higher roles inheriting', () => {
    assert.deepEqual([...actionsOf(pluginJson, 'Viewer')].sort(), ['opsdesk-runbooks-app.dlq:read']);
    assert.ok(actionsOf(pluginJson, 'Editor').has('opsdesk-runbooks-app.dlq:retry'));
    assert.ok(!actionsOf(pluginJson, 'Editor').has('opsdesk-runbooks-app.dlq:purge'));
    assert.ok(actionsOf(pluginJson, 'Admin').has('opsdesk-runbooks-app.dlq:purge'));
  });
});
