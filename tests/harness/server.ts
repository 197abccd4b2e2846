// Serves the harness: the host page (tests/harness/.build), the built plugin under Grafana's public plugin path,
// the app-settings and annotations endpoints the app calls, and the data proxy stand-in in front of the event bus.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import pluginJson from '../../plugin.json';
import { actionsOf, BasicRole, grafanaProxyHandler, ProxyUser } from './grafanaProxy';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILD = path.join(__dirname, '.build');
const DIST = path.join(ROOT, 'dist');
const PLUGIN_ID = pluginJson.id;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.css': 'text/css',
  '.md': 'text/markdown',
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
  settings: HarnessSettings;
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

function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch (error) {
        reject(error);
      }
    });
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function startHarness(settings: HarnessSettings, port = 0): Promise<RunningHarness> {
  if (!fs.existsSync(path.join(BUILD, 'host.js')) || !fs.existsSync(path.join(DIST, 'module.js'))) {
    throw new Error('build first: npm run build && npx webpack -c tests/harness/webpack.config.ts');
  }
  const annotations: unknown[] = [];
  const proxy = grafanaProxyHandler({ pluginJson, ...settings, users: USERS });
  // The proxy reads jsonData/secureJsonData per request, so saving settings takes effect at once, as in Grafana.
  const proxyOptions = { jsonData: settings.jsonData, secureJsonData: settings.secureJsonData };

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://harness.invalid');
    const { pathname } = url;
    try {
      if (pathname.startsWith('/api/plugin-proxy/')) {
        proxy(request, response);
      } else if (pathname === `/api/plugins/${PLUGIN_ID}/settings` && request.method === 'GET') {
        sendJson(response, 200, {
          enabled: true,
          pinned: true,
          jsonData: proxyOptions.jsonData,
          secureJsonFields: Object.fromEntries(Object.keys(proxyOptions.secureJsonData).map((key) => [key, true])),
        });
      } else if (pathname === `/api/plugins/${PLUGIN_ID}/settings` && request.method === 'POST') {
        const update = await readJson(request);
        const jsonData = (update.jsonData ?? {}) as Record<string, unknown>;
        Object.keys(proxyOptions.jsonData).forEach((key) => delete proxyOptions.jsonData[key]);
        Object.assign(proxyOptions.jsonData, jsonData);
        for (const [key, value] of Object.entries((update.secureJsonData ?? {}) as Record<string, string>)) {
          if (value === '') {
            delete proxyOptions.secureJsonData[key];
          } else {
            proxyOptions.secureJsonData[key] = value;
          }
        }
        sendJson(response, 200, { message: 'Plugin settings updated' });
      } else if (pathname === '/api/annotations' && request.method === 'POST') {
        annotations.push(await readJson(request));
        sendJson(response, 200, { id: annotations.length, message: 'Annotation added' });
      } else if (pathname === '/harness/permissions') {
        const role = (url.searchParams.get('role') ?? 'Viewer') as BasicRole;
        sendJson(response, 200, Object.fromEntries([...actionsOf(pluginJson, role)].map((action) => [action, true])));
      } else if (pathname.startsWith('/harness/')) {
        serveFile(response, path.join(BUILD, path.normalize(pathname.slice('/harness/'.length))));
      } else if (pathname.startsWith(`/public/plugins/${PLUGIN_ID}/`)) {
        serveFile(response, path.join(DIST, path.normalize(pathname.slice(`/public/plugins/${PLUGIN_ID}/`.length))));
      } else if (pathname.startsWith('/api/')) {
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
        settings: proxyOptions,
        annotations,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
