// Serves the harness: the host page (tests/harness/.build), the built plugin under Grafana's public plugin path,
// the app-settings and annotations endpoints the app calls (grafanaApi.ts), and the data proxy stand-in in front of
// the event bus (grafanaProxy.ts).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import pluginJson from '../../plugin.json';
import { createGrafanaState, GrafanaState, grafanaApiHandler } from './grafanaApi';
import { actionsOf, BasicRole, grafanaProxyHandler, ProxyUser, sendJson } from './grafanaProxy';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILD = path.join(__dirname, '.build');
const DIST = path.join(ROOT, 'dist');
// Grafana serves @grafana/ui's icons from its public folder; the host page points the library there.
const ICONS = path.join(ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
// Grafana serves its fonts (Inter, Roboto Mono) from public/fonts; the harness serves the same faces from Fontsource.
const FONTSOURCE = path.join(ROOT, 'node_modules', '@fontsource');
const FONTS: Record<string, string> = {
  'inter/Inter-Regular.woff2': 'inter/files/inter-latin-400-normal.woff2',
  'inter/Inter-Italic.woff2': 'inter/files/inter-latin-400-italic.woff2',
  'inter/Inter-Medium.woff2': 'inter/files/inter-latin-500-normal.woff2',
  'inter/Inter-MediumItalic.woff2': 'inter/files/inter-latin-500-italic.woff2',
};
const ROBOTO_MONO = 'roboto-mono/files/roboto-mono-latin-400-normal.woff2';
const PLUGIN_ID = pluginJson.id;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.css': 'text/css',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Each basic role signs in with the bearer token `harness-<Role>`, which the host page's backendSrv sends. */
const USERS: Record<string, ProxyUser> = Object.fromEntries(
  (['Viewer', 'Editor', 'Admin'] as BasicRole[]).map((role) => [
    `harness-${role}`,
    { login: `harness-${role.toLowerCase()}`, role },
  ])
);

export interface HarnessSettings {
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface RunningHarness {
  url: string;
  /** What Grafana stores for the app (settings, enabled) as the test runs. */
  settings: GrafanaState;
  annotations: unknown[];
  close: () => Promise<void>;
}

function serveFile(response: http.ServerResponse, file: string) {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(response);
}

/** A dashboard the app bundles (`plugin.json` includes), by uid, as Grafana's dashboard API returns it. */
function bundledDashboard(uid: string): unknown {
  for (const include of pluginJson.includes) {
    if (include.type === 'dashboard') {
      const dashboard = JSON.parse(fs.readFileSync(path.join(DIST, include.path), 'utf8'));
      if (dashboard.uid === uid) {
        return dashboard;
      }
    }
  }
  return undefined;
}

/** Uids of the dashboards the harness serves: the ones `plugin.json` includes. */
function bundledDashboardUids(): Set<string> {
  return new Set(
    pluginJson.includes
      .filter((include) => include.type === 'dashboard')
      .map((include) => JSON.parse(fs.readFileSync(path.join(DIST, include.path), 'utf8')).uid as string)
  );
}

export interface HarnessOptions {
  /** Loopback port to listen on; a free one by default. */
  port?: number;
  /** See `GrafanaProxyOptions.hostAliases`. */
  hostAliases?: Record<string, string>;
}

export function startHarness(
  settings: HarnessSettings,
  { port = 0, hostAliases }: HarnessOptions = {}
): Promise<RunningHarness> {
  if (!fs.existsSync(path.join(BUILD, 'host.js')) || !fs.existsSync(path.join(DIST, 'module.js'))) {
    throw new Error('build first: npm run build && npx webpack -c tests/harness/webpack.config.ts');
  }
  const state = createGrafanaState(settings);
  const api = grafanaApiHandler({ pluginId: PLUGIN_ID, state, users: USERS, dashboardUids: bundledDashboardUids() });
  // The proxy reads the settings per request, so saving them takes effect at once, as in Grafana.
  const proxy = grafanaProxyHandler({
    pluginJson,
    jsonData: state.jsonData,
    secureJsonData: state.secureJsonData,
    users: USERS,
    hostAliases,
    isAppEnabled: () => state.enabled,
  });

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://harness.invalid');
    const { pathname } = url;
    try {
      if (pathname.startsWith('/api/plugin-proxy/')) {
        proxy(request, response);
      } else if (await api(request, response)) {
        // Handled: app settings or annotations.
      } else if (pathname.startsWith('/api/dashboards/uid/') && request.method === 'GET') {
        const dashboard = bundledDashboard(decodeURIComponent(pathname.slice('/api/dashboards/uid/'.length)));
        sendJson(
          response,
          dashboard ? 200 : 404,
          dashboard ? { dashboard, meta: {} } : { message: 'Dashboard not found' }
        );
      } else if (pathname === '/harness/permissions') {
        const role = (url.searchParams.get('role') ?? 'Viewer') as BasicRole;
        sendJson(response, 200, Object.fromEntries([...actionsOf(pluginJson, role)].map((action) => [action, true])));
      } else if (pathname.startsWith('/harness/')) {
        serveFile(response, path.join(BUILD, path.normalize(pathname.slice('/harness/'.length))));
      } else if (pathname === '/public/build/img/icons/unicons/spinner.svg') {
        // Grafana ships its spinner icon itself, not in @grafana/ui's package: the harness draws its own.
        serveFile(response, path.join(__dirname, 'host', 'spinner.svg'));
      } else if (pathname.startsWith('/public/build/img/icons/')) {
        serveFile(response, path.join(ICONS, path.normalize(pathname.slice('/public/build/img/icons/'.length))));
      } else if (pathname.startsWith('/public/fonts/')) {
        const font = pathname.slice('/public/fonts/'.length);
        const file = FONTS[font] ?? (font.startsWith('roboto/') ? ROBOTO_MONO : undefined);
        serveFile(response, file ? path.join(FONTSOURCE, file) : '');
      } else if (pathname.startsWith(`/public/plugins/${PLUGIN_ID}/`)) {
        serveFile(response, path.join(DIST, path.normalize(pathname.slice(`/public/plugins/${PLUGIN_ID}/`.length))));
      } else if (pathname.startsWith('/public/') || pathname.startsWith('/api/')) {
        sendJson(response, 404, { message: 'Not found' });
      } else {
        serveFile(response, path.join(__dirname, 'host', 'index.html'));
      }
    } catch (error) {
      sendJson(response, 500, { message: String(error) });
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        settings: state,
        annotations: state.annotations,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
