// A stand-in for Grafana's plugin data proxy (`/api/plugin-proxy/<appId>/...`), for tests that run where Grafana
// cannot. Each behaviour follows Grafana's source; the table in README.md here names the file for each and the test
// that pins it. It does not prove Grafana behaves so; the Playwright specs in tests/ check that on a real Grafana.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type BasicRole = 'Viewer' | 'Editor' | 'Admin';

export interface ProxyUser {
  login: string;
  role: BasicRole;
  /** Grafana's identity types: a user signed in, a service account's token, or anonymous access. */
  kind?: 'user' | 'service-account' | 'anonymous';
  name?: string;
  email?: string;
  id?: number;
  isGrafanaAdmin?: boolean;
}

/**
 * `X-Grafana-Context` as Grafana builds it: `json.Marshal` of `user.SignedInUser` (pkg/services/user/identity.go),
 * whose fields carry no json tags, so the keys are the Go field names in field order; `Permissions` and the ID
 * tokens are `json:"-"`. Values follow pkg/services/authn: an anonymous identity has no login, user id 0 and
 * `IsAnonymous`; a service account's login is `sa-<org>-<name>` and it is authenticated by `apikey`.
 * event-bus/test/fixtures/x-grafana-context.json holds the same shape, and a test holds the two together.
 */
export function signedInUser(user: ProxyUser): Record<string, unknown> {
  const kind = user.kind ?? 'user';
  const anonymous = kind === 'anonymous';
  return {
    UserID: anonymous ? 0 : (user.id ?? 1),
    UserUID: anonymous ? '' : `harness-${user.login}`,
    OrgID: 1,
    OrgName: 'Main Org.',
    OrgRole: user.role,
    Login: anonymous ? '' : user.login,
    Name: anonymous ? '' : (user.name ?? user.login),
    Email: anonymous ? '' : (user.email ?? (kind === 'service-account' ? user.login : `${user.login}@example.com`)),
    EmailVerified: false,
    AuthID: '',
    AuthenticatedBy: kind === 'service-account' ? 'apikey' : anonymous ? '' : 'password',
    Namespace: 'default',
    ApiKeyID: 0,
    IsServiceAccount: kind === 'service-account',
    IsGrafanaAdmin: user.isGrafanaAdmin ?? false,
    IsAnonymous: anonymous,
    IsDisabled: false,
    HelpFlags1: 0,
    LastSeenAt: anonymous ? '0001-01-01T00:00:00Z' : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Teams: anonymous ? null : [],
    FallbackType: kind,
  };
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
  /**
   * Bearer tokens and the users they sign in: the harness's stand-in for Grafana's session cookie and service-account
   * tokens. Grafana removes the header before proxying, as this does.
   */
  users: Record<string, ProxyUser>;
  /** `[dataproxy] send_user_header`: off by default in Grafana. */
  sendUserHeader?: boolean;
  /** Whether the app is enabled in the org (its settings' `enabled`); Grafana answers 404 for a disabled app. */
  isAppEnabled?: () => boolean;
  /** How long to wait for the upstream to accept the connection: Grafana's plugin proxy dialer waits 30 s. */
  connectTimeoutMs?: number;
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
// Never sent on as the client sent them: the headers that authenticate to Grafana (pkg/util/proxyutil/reverse_proxy.go
// wrapDirector), cookies (pluginproxy.go director) and X-Grafana-User (proxyutil.go ApplyUserHeader deletes it).
const GRAFANA_AUTH_HEADERS = ['authorization', 'x-grafana-user', 'cookie'];
// pkg/util/proxyutil/proxyutil.go PrepareProxyRequest: removed before proxying (Referer survives as X-Grafana-Referer).
const CLIENT_ORIGIN_HEADERS = ['origin', 'referer', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto'];
const PROXY_PATH = /^\/api\/plugin-proxy\/([\w-]+)\/?/;

/** Actions a basic role holds through the plugin's role grants; higher basic roles inherit lower ones' grants. */
export function actionsOf(pluginJson: PluginJson, role: BasicRole): Set<string> {
  const inherited = ROLE_ORDER.slice(0, ROLE_ORDER.indexOf(role) + 1);
  return new Set(
    (pluginJson.roles ?? [])
      .filter((grant) => grant.grants.some((granted) => inherited.includes(granted as BasicRole)))
      .flatMap((grant) => grant.role.permissions.map((permission) => permission.action))
  );
}

/**
 * Grafana's route tree match (pkg/web/tree.go `Tree.Match`): one leading and one trailing `/` trimmed, then segment
 * by segment, each unescaped before it is compared: literal, `:name` for one segment, `*` for the rest (at least one
 * segment). The path is not cleaned: a `..` segment matches no literal, so it finds no route.
 */
export function matchRoutePath(pattern: string, requestPath: string): { rest?: string } | undefined {
  const want = pattern.replace(/^\//, '').replace(/\/$/, '').split('/');
  const raw = requestPath.replace(/^\//, '').replace(/\/$/, '').split('/');
  const got = raw.map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*') {
      const rest = raw.slice(i).join('/');
      return rest === '' ? undefined : { rest };
    }
    if (got[i] === undefined || got[i] === '' || (want[i] !== got[i] && !want[i].startsWith(':'))) {
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

export function sendJson(response: http.ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The user a request signs in as: its bearer token looked up in `users` (the harness's stand-in for a session). */
export function userOf(request: http.IncomingMessage, users: Record<string, ProxyUser>): ProxyUser | undefined {
  const token = /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1];
  return token ? users[token] : undefined;
}

/** Handles `/api/plugin-proxy/<appId>/...` requests; `startGrafanaProxy` serves it alone, the browser harness
 * mounts it beside its other routes. */
export function grafanaProxyHandler(options: GrafanaProxyOptions): http.RequestListener {
  return (request, response) => {
    const rawPath = (request.url ?? '/').split('?')[0];
    const query = request.url?.includes('?') ? `?${request.url.split('?').slice(1).join('?')}` : '';
    const user = userOf(request, options.users);
    if (!user) {
      sendJson(response, 401, { message: 'Unauthorized' });
      return;
    }
    // pkg/api/plugin_proxy.go ProxyPluginRequest, pkg/api/api.go checkAppEnabled.
    const pluginId = PROXY_PATH.exec(rawPath)?.[1];
    if (pluginId !== options.pluginJson.id) {
      sendJson(response, 404, { message: 'Plugin not found, no installed plugin with that id' });
      return;
    }
    if (options.isAppEnabled && !options.isAppEnabled()) {
      sendJson(response, 404, { message: 'Plugin is not enabled' });
      return;
    }
    // pkg/api/pluginproxy/pluginproxy.go HandleRequest: routes in plugin.json order, the first whose method (empty,
    // `*` or exactly the request's) and path match wins, and its access is checked at once, with no fallback.
    const proxyPath = rawPath.replace(PROXY_PATH, '');
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
    // pluginproxy.go hasAccessToRoute: reqAction when set (reqRole is then ignored), else reqRole, where
    // SignedInUser.HasRole lets a Grafana server admin through whatever their org role (11.6 to 12.4).
    const isAllowed = route.reqAction
      ? actionsOf(options.pluginJson, user.role).has(route.reqAction)
      : !route.reqRole ||
        user.isGrafanaAdmin === true ||
        ROLE_ORDER.indexOf(user.role) >= ROLE_ORDER.indexOf(route.reqRole as BasicRole);
    if (!isAllowed) {
      sendJson(response, 403, { message: 'plugin proxy route access denied' });
      return;
    }

    // pluginproxy.go director: the route URL rendered with the settings; only its scheme, host and path are used,
    // the `*` capture joined to its path, the browser's query string kept. A URL that renders to nothing usable
    // (`<no value>` for a missing setting, no scheme) fails in the transport: 502 with an empty body.
    let target: URL | undefined;
    try {
      target = new URL(renderTemplate(route.url ?? '', options));
    } catch {
      target = undefined;
    }
    if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      response.writeHead(502).end();
      return;
    }
    const upstreamPath = rest === undefined ? target.pathname : `${target.pathname.replace(/\/$/, '')}/${rest}`;
    const headers: http.OutgoingHttpHeaders = { ...request.headers };
    for (const name of [...GRAFANA_AUTH_HEADERS, ...CLIENT_ORIGIN_HEADERS, 'set-cookie', 'host', ...HOP_BY_HOP]) {
      delete headers[name];
    }
    if (request.headers.referer) {
      headers['x-grafana-referer'] = request.headers.referer;
    }
    const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean);
    headers['x-forwarded-for'] = forwardedFor.join(', ');
    headers.host = target.host;
    headers['x-grafana-context'] = JSON.stringify(signedInUser(user));
    // pkg/util/proxyutil/proxyutil.go ApplyUserHeader: only with send_user_header, and only for a real user.
    if (options.sendUserHeader && (user.kind ?? 'user') === 'user') {
      headers['x-grafana-user'] = user.login;
    }
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
        path: `${upstreamPath}${query}`,
        headers,
      },
      (upstreamResponse) => {
        const responseHeaders = { ...upstreamResponse.headers };
        // pkg/api/pluginproxy/pluginproxy.go modifyResponse.
        for (const name of [...HOP_BY_HOP, 'set-cookie']) {
          delete responseHeaders[name];
        }
        responseHeaders['content-security-policy'] = 'sandbox';
        response.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        upstreamResponse.pipe(response);
      }
    );
    // pkg/util/proxyutil/reverse_proxy.go errorHandler: a connect that times out is 504, any other transport error
    // 502, both with an empty body. Grafana sets no deadline on the answer itself, so neither does this.
    const connectTimer = setTimeout(
      () => upstream.destroy(new ConnectTimeoutError()),
      options.connectTimeoutMs ?? 30_000
    );
    upstream.on('socket', (socket) => {
      if (socket.connecting) {
        socket.once('connect', () => clearTimeout(connectTimer));
      } else {
        clearTimeout(connectTimer);
      }
    });
    upstream.on('error', (error) => {
      clearTimeout(connectTimer);
      if (!response.headersSent) {
        response.writeHead(error instanceof ConnectTimeoutError ? 504 : 502);
      }
      response.end();
    });
    upstream.on('close', () => clearTimeout(connectTimer));
    request.pipe(upstream);
  };
}

class ConnectTimeoutError extends Error {}

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
