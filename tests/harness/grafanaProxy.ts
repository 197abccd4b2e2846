// A stand-in for Grafana's plugin data proxy (`/api/plugin-proxy/<appId>/...`), for tests that run where Grafana
// cannot. It applies plugin.json's routes with the semantics read from Grafana's source (GRAFANA_FACTS.md):
// routes tried in order, a method matches only when empty, `*` or exactly equal, the first match wins and its
// reqAction (or reqRole) is checked at once with no fallback, `*` captures the rest of the path, header and URL
// templates read the app settings, cookies are dropped and X-Grafana-Context carries the signed-in user.
// It does not prove Grafana behaves so; the Playwright specs in tests/ check that on a real Grafana.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type BasicRole = 'Viewer' | 'Editor' | 'Admin';

export interface ProxyUser {
  login: string;
  role: BasicRole;
}

interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  reqAction?: string;
  reqRole?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface PluginJson {
  id: string;
  routes?: PluginRoute[];
  roles?: Array<{ role: { permissions: Array<{ action: string }> }; grants: string[] }>;
}

export interface GrafanaProxyOptions {
  pluginJson: PluginJson;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  /** Service-account tokens (sent as `Authorization: Bearer <token>`) and the users they sign in. */
  users: Record<string, ProxyUser>;
  /**
   * Upstream `host:port` as the Grafana server's network names it (`event-bus:8080`, which compose's DNS resolves)
   * and where the harness really runs it (`127.0.0.1:41234`).
   */
  hostAliases?: Record<string, string>;
}

export interface RunningProxy {
  url: string;
  close: () => Promise<void>;
}

const ROLE_ORDER: BasicRole[] = ['Viewer', 'Editor', 'Admin'];
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

/** Actions a basic role holds through the plugin's role grants; higher basic roles inherit lower ones' grants. */
export function actionsOf(pluginJson: PluginJson, role: BasicRole): Set<string> {
  const inherited = ROLE_ORDER.slice(0, ROLE_ORDER.indexOf(role) + 1);
  return new Set(
    (pluginJson.roles ?? [])
      .filter((grant) => grant.grants.some((granted) => inherited.includes(granted as BasicRole)))
      .flatMap((grant) => grant.role.permissions.map((permission) => permission.action))
  );
}

/** Grafana's route tree match: literal segments, `:name` for one segment, `*` for the rest. */
export function matchRoutePath(pattern: string, requestPath: string): { rest?: string } | undefined {
  const want = pattern.replace(/^\//, '').split('/');
  const got = requestPath.replace(/^\//, '').split('/');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*') {
      const rest = got.slice(i).join('/');
      return rest === '' ? undefined : { rest };
    }
    if (got[i] === undefined || (want[i] !== got[i] && !want[i].startsWith(':'))) {
      return undefined;
    }
  }
  return got.length === want.length ? {} : undefined;
}

/** Go-template fields `{{ .JsonData.x }}` and `{{ .SecureJsonData.x }}`; a missing key renders `<no value>`. */
export function renderTemplate(template: string, data: Pick<GrafanaProxyOptions, 'jsonData' | 'secureJsonData'>) {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, kind: string, key: string) => {
    const source: Record<string, unknown> = kind === 'JsonData' ? data.jsonData : data.secureJsonData;
    return source[key] === undefined ? '<no value>' : String(source[key]);
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Handles `/api/plugin-proxy/<appId>/...` requests; `startGrafanaProxy` serves it alone, the browser harness
 * mounts it beside its other routes. */
export function grafanaProxyHandler(options: GrafanaProxyOptions): http.RequestListener {
  const prefix = `/api/plugin-proxy/${options.pluginJson.id}`;
  return (request, response) => {
    const incoming = new URL(request.url ?? '/', 'http://proxy.invalid');
    const token = /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const user = token ? options.users[token] : undefined;
    if (!user) {
      sendJson(response, 401, { message: 'Unauthorized' });
      return;
    }
    if (incoming.pathname !== prefix && !incoming.pathname.startsWith(`${prefix}/`)) {
      sendJson(response, 404, { message: 'Plugin not found, no installed plugin with that id' });
      return;
    }
    // Grafana cleans the path (path.Join) before matching, so `..` and `//` cannot reach another route.
    const proxyPath = new URL(incoming.pathname.slice(prefix.length) || '/', 'http://proxy.invalid').pathname;
    const method = request.method ?? 'GET';
    let matched: { route: PluginRoute; rest?: string } | undefined;
    for (const route of options.pluginJson.routes ?? []) {
      if (route.method && route.method !== '*' && route.method !== method) {
        continue;
      }
      const match = matchRoutePath(route.path, proxyPath);
      if (match) {
        matched = { route, rest: match.rest };
        break;
      }
    }
    if (!matched) {
      sendJson(response, 404, { message: 'plugin route match not found' });
      return;
    }
    const { route, rest } = matched;
    const isAllowed = route.reqAction
      ? actionsOf(options.pluginJson, user.role).has(route.reqAction)
      : !route.reqRole || ROLE_ORDER.indexOf(user.role) >= ROLE_ORDER.indexOf(route.reqRole as BasicRole);
    if (!isAllowed) {
      sendJson(response, 403, { message: 'plugin proxy route access denied' });
      return;
    }

    let target: URL;
    try {
      target = new URL(renderTemplate(route.url ?? '', options));
    } catch {
      sendJson(response, 500, { message: 'Could not parse url' });
      return;
    }
    const upstreamPath = rest === undefined ? target.pathname : `${target.pathname.replace(/\/$/, '')}/${rest}`;
    const headers: http.OutgoingHttpHeaders = { ...request.headers };
    // The browser's Authorization header is not removed: the route's own header template replaces it.
    for (const name of ['cookie', 'set-cookie', 'host', ...HOP_BY_HOP]) {
      delete headers[name];
    }
    headers['x-grafana-context'] = JSON.stringify({ login: user.login, orgRole: user.role, orgId: 1 });
    for (const header of route.headers ?? []) {
      headers[header.name.toLowerCase()] = renderTemplate(header.content, options);
    }

    const alias = options.hostAliases?.[target.host];
    const address = alias ? new URL(`${target.protocol}//${alias}`) : target;
    const upstream = http.request(
      {
        protocol: target.protocol,
        hostname: address.hostname,
        port: address.port,
        method,
        path: `${upstreamPath}${incoming.search}`,
        headers,
      },
      (upstreamResponse) => {
        const responseHeaders = { ...upstreamResponse.headers };
        for (const name of HOP_BY_HOP) {
          delete responseHeaders[name];
        }
        response.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        upstreamResponse.pipe(response);
      }
    );
    // Grafana answers 502 with an empty body when the upstream cannot be reached.
    upstream.on('error', () => {
      if (!response.headersSent) {
        response.writeHead(502);
      }
      response.end();
    });
    request.pipe(upstream);
  };
}

export function startGrafanaProxy(options: GrafanaProxyOptions, port = 0): Promise<RunningProxy> {
  const server = http.createServer(grafanaProxyHandler(options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
