import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';

import pluginJson from './plugin.json';

// Grafana's data proxy tries routes in order and uses the first whose method and path match, then checks only that
// route's permission (pkg/api/pluginproxy/pluginproxy.go; tests/harness/README.md lists what the harness follows).
// These rules keep plugin.json from exposing more than its roles allow.

interface Route {
  path: string;
  method?: string;
  url?: string;
  reqAction?: string;
  reqRole?: string;
  headers?: Array<{ name: string; content: string }>;
  body?: unknown;
}

const routes: Route[] = pluginJson.routes;
const PLUGIN_ID = pluginJson.id;
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const MUTATING = (route: Route) => route.method !== 'GET' && route.method !== 'HEAD';

/** True when some request path matches both route paths (`*` captures the rest, `:name` one segment). */
function pathsOverlap(a: string, b: string): boolean {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] === '*' || right[i] === '*') {
      return left[i] !== undefined && right[i] !== undefined;
    }
    if (left[i] === undefined || right[i] === undefined) {
      return false;
    }
    if (left[i] !== right[i] && !left[i].startsWith(':') && !right[i].startsWith(':')) {
      return false;
    }
  }
  return true;
}

describe('pathsOverlap', () => {
  it.each([
    ['api/events/dlq', 'api/events/dlq', true],
    ['api/events/dlq', 'api/events/dlq/retry', false],
    ['api/events/*', 'api/events/dlq/retry', true],
    ['api/events/dlq/operations/*', 'api/events/dlq', false],
    ['api/events/:id', 'api/events/health', true],
    ['api/events/:id', 'api/events/dlq/retry', false],
  ])('%s ~ %s: %s', (a, b, expected) => {
    expect(pathsOverlap(a, b)).toBe(expected);
    expect(pathsOverlap(b, a)).toBe(expected);
  });
});

describe('plugin.json routes', () => {
  it('has one route per endpoint of the event-bus API the panel uses', () => {
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      'GET api/events/dlq',
      'GET api/events/dlq/entries/*',
      'GET api/events/dlq/groups',
      'GET api/events/dlq/operations/*',
      'GET api/events/health',
      'POST api/events/dlq/purge',
      'POST api/events/dlq/retry',
      'POST api/events/dlq/stop',
    ]);
  });

  it.each(routes)('$path has exactly one HTTP method', (route) => {
    // "GET,POST" never matches and "*" or none matches every method.
    expect(HTTP_METHODS).toContain(route.method);
  });

  it.each(routes)('$path is written without a leading slash', (route) => {
    expect(route.path).not.toMatch(/^\//);
  });

  it('has no two routes that one request could both match', () => {
    const overlaps = routes.flatMap((a, i) =>
      routes
        .slice(i + 1)
        .filter((b) => a.method === b.method && pathsOverlap(a.path, b.path))
        .map((b) => `${a.method} ${a.path} ~ ${b.path}`)
    );
    expect(overlaps).toEqual([]);
  });

  it('lists mutating routes before read routes', () => {
    const lastMutating = routes.map(MUTATING).lastIndexOf(true);
    const firstRead = routes.map(MUTATING).indexOf(false);
    expect(lastMutating).toBeLessThan(firstRead);
  });

  it.each(routes)('$method $path requires a plugin RBAC action that a role declares', (route) => {
    const declared = pluginJson.roles.flatMap((role) => role.role.permissions.map((permission) => permission.action));
    expect(route.reqAction).toMatch(new RegExp(`^${PLUGIN_ID}\\.`));
    expect(declared).toContain(route.reqAction);
  });

  it.each(routes.filter(MUTATING))('$method $path is guarded by more than read access', (route) => {
    expect(route.reqAction ?? route.reqRole).toBeDefined();
    expect(route.reqAction).not.toBe(`${PLUGIN_ID}.dlq:read`);
  });

  it.each(routes)('$path forwards to the configured URL and the same path', (route) => {
    const upstreamPath = route.path.replace(/\/\*$/, '');
    expect(route.url).toBe(`{{ .JsonData.eventBusUrl }}/${upstreamPath}`);
  });

  it.each(routes)('$path injects the token only as a header template', (route) => {
    expect(route.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.eventBusToken }}' }]);
    // A route body replaces the client's body: retry and purge must forward what the panel sends.
    expect(route.body).toBeUndefined();
    expect(route.url).not.toMatch(/SecureJsonData/);
  });

  it('uses secrets nowhere but in route headers', () => {
    const { routes: _routes, ...rest } = pluginJson;
    expect(JSON.stringify(rest)).not.toMatch(/SecureJsonData/i);
  });
});

describe('plugin.json roles', () => {
  it.each([
    ['dlq:read', 'Viewer'],
    ['dlq:retry', 'Editor'],
    ['dlq:purge', 'Admin'],
  ])('grants %s to %s at the lowest', (action, basicRole) => {
    const grantedTo = pluginJson.roles
      .filter((role) => role.role.permissions.some((permission) => permission.action === `${PLUGIN_ID}.${action}`))
      .flatMap((role) => role.grants);
    const order = ['Viewer', 'Editor', 'Admin'];
    const lowest = order.find((candidate) => grantedTo.includes(candidate));
    expect(lowest).toBe(basicRole);
  });
});

describe('provisioned app settings', () => {
  const dir = path.resolve(__dirname, '..', 'provisioning', 'plugins');
  const apps = fs
    .readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) => (parse(fs.readFileSync(path.join(dir, file), 'utf8'))?.apps ?? []) as ProvisionedApp[])
    .filter((app) => app.type === PLUGIN_ID);

  interface ProvisionedApp {
    type: string;
    jsonData?: Record<string, unknown>;
    secureJsonData?: Record<string, unknown>;
  }

  it('provisions this app', () => {
    expect(apps.length).toBeGreaterThan(0);
  });

  it.each(apps)('keeps nothing secret-looking in jsonData, which every viewer can read', (app) => {
    const secretLooking = Object.keys(app.jsonData ?? {}).filter((key) =>
      /token|secret|password|passwd|key|credential|auth/i.test(key)
    );
    expect(secretLooking).toEqual([]);
    expect(JSON.stringify(app.jsonData ?? {})).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@/);
  });

  it.each(apps)('takes secureJsonData from environment variables, never literals', (app) => {
    for (const value of Object.values(app.secureJsonData ?? {})) {
      expect(value).toMatch(/^\$(\{[A-Z0-9_]+\}|[A-Z0-9_]+)$/);
    }
  });
});

describe('plugin.json screenshots', () => {
  it('lists the catalogue screenshots `npm run screenshots` writes, each a PNG under 200 KB', () => {
    expect(pluginJson.info.screenshots.length).toBeGreaterThanOrEqual(4);
    for (const shot of pluginJson.info.screenshots) {
      expect(shot.name).not.toBe('');
      const file = path.join(__dirname, shot.path);
      const bytes = fs.readFileSync(file);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(bytes.length).toBeLessThan(200_000);
    }
  });
});
