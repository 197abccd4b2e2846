// Serves the harness: Grafana's HTTP API as the app calls it (grafanaApi.ts, one module per endpoint in api/), the
// data proxy stand-in in front of the event bus (grafanaProxy.ts), and the host page with what Grafana serves from
// its public folder (staticAssets.ts).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import pluginJson from '../../plugin.json';
import { grafanaApiHandler } from './grafanaApi';
import { createGrafanaState, GrafanaState } from './api/state';
import { BasicRole, grafanaProxyHandler, ProxyUser, sendJson } from './grafanaProxy';
import { BUILD, DIST, serveHostPage, serveStatic } from './staticAssets';

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

/** The dashboards the app bundles (`plugin.json` includes), by uid: the ones the harness's org has. */
function bundledDashboards(dist: string): Map<string, unknown> {
  const dashboards = new Map<string, unknown>();
  for (const include of pluginJson.includes.filter((include) => include.type === 'dashboard')) {
    const dashboard = JSON.parse(fs.readFileSync(path.join(dist, include.path), 'utf8'));
    dashboards.set(dashboard.uid, dashboard);
  }
  return dashboards;
}

export interface HarnessOptions {
  /** Loopback port to listen on; a free one by default. */
  port?: number;
  /** See `GrafanaProxyOptions.hostAliases`. */
  hostAliases?: Record<string, string>;
  /** The built plugin to serve: `dist/` by default; the runbook benchmark serves builds of other runbook folders. */
  pluginDist?: string;
}

export function startHarness(
  settings: HarnessSettings,
  { port = 0, hostAliases, pluginDist = DIST }: HarnessOptions = {}
): Promise<RunningHarness> {
  if (!fs.existsSync(path.join(BUILD, 'host.js')) || !fs.existsSync(path.join(pluginDist, 'module.js'))) {
    throw new Error('build first: npm run build && npx webpack -c tests/harness/webpack.config.ts');
  }
  const state = createGrafanaState(settings);
  const api = grafanaApiHandler({ pluginJson, state, users: USERS, dashboards: bundledDashboards(pluginDist) });
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
    const { pathname } = new URL(request.url ?? '/', 'http://harness.invalid');
    try {
      if (pathname.startsWith('/api/plugin-proxy/')) {
        proxy(request, response);
      } else if (await api(request, response)) {
        // Handled by one of Grafana's endpoints.
      } else if (serveStatic(pathname, pluginJson.id, response, pluginDist)) {
        // A file of the host page or Grafana's public folder.
      } else if (pathname.startsWith('/public/') || pathname.startsWith('/api/')) {
        sendJson(response, 404, { message: 'Not found' });
      } else {
        serveHostPage(response);
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
