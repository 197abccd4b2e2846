import type http from 'node:http';

import type { PluginJson, ProxyUser } from '../grafanaProxy';

// What the Grafana API stand-ins share: what Grafana stores for the app, and how its handlers read a JSON body.

/** What Grafana stores for the app in the org, and the annotations written so far. */
export interface GrafanaState {
  enabled: boolean;
  pinned: boolean;
  /** `jsonData` as the proxy's templates read it; `hasJsonData` false when it was saved as null. */
  jsonData: Record<string, unknown>;
  hasJsonData: boolean;
  secureJsonData: Record<string, string>;
  annotations: Array<Record<string, unknown>>;
}

export function createGrafanaState(settings: {
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}): GrafanaState {
  return {
    enabled: true,
    pinned: true,
    jsonData: settings.jsonData,
    hasJsonData: true,
    secureJsonData: settings.secureJsonData,
    annotations: [],
  };
}

/** Grafana's answer to a body it cannot bind. */
export const BAD_REQUEST = { message: 'bad request data' };

export function readJson(request: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        const parsed = body ? JSON.parse(body) : {};
        resolve(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** What every endpoint handler may read: the request's path and query, and the org as the test set it up. */
export interface ApiContext {
  url: URL;
  pluginJson: PluginJson;
  state: GrafanaState;
  /** Bearer tokens and the users they sign in, as for the proxy. */
  users: Record<string, ProxyUser>;
  /** The dashboards that exist in the org, by uid. */
  dashboards: Map<string, unknown>;
}

/** Handles the request and resolves true when it is this handler's endpoint, else resolves false untouched. */
export type ApiHandler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  context: ApiContext
) => Promise<boolean>;
