// Stand-ins for the Grafana HTTP API endpoints the app calls besides the data proxy: the app's settings and
// annotations. Each behaviour follows Grafana's source; the table in README.md here names the file for each and the
// test that pins it.
import type http from 'node:http';

import { type ProxyUser, sendJson, userOf } from './grafanaProxy';

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

export interface GrafanaApiOptions {
  pluginId: string;
  state: GrafanaState;
  /** Bearer tokens and the users they sign in, as for the proxy. */
  users: Record<string, ProxyUser>;
  /** Dashboards that exist in the org. */
  dashboardUids: Set<string>;
}

const BAD_REQUEST = { message: 'bad request data' };

function readJson(request: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
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

/** Handles the request and resolves true when it is one of these endpoints, else resolves false untouched. */
export function grafanaApiHandler({ pluginId, state, users, dashboardUids }: GrafanaApiOptions) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean> => {
    const pathname = new URL(request.url ?? '/', 'http://grafana.invalid').pathname;
    const settingsPath = `/api/plugins/${pluginId}/settings`;

    if (pathname === settingsPath && request.method === 'GET') {
      // pkg/api/plugins.go GetPluginSettingByID: secureJsonFields names only the secrets that are not empty.
      sendJson(response, 200, {
        enabled: state.enabled,
        pinned: state.pinned,
        jsonData: state.hasJsonData ? state.jsonData : null,
        secureJsonFields: Object.fromEntries(
          Object.entries(state.secureJsonData)
            .filter(([, value]) => value !== '')
            .map(([key]) => [key, true])
        ),
      });
      return true;
    }

    if (pathname === settingsPath && request.method === 'POST') {
      // pkg/api/api.go: saving needs plugins:write, which only an org Admin holds.
      if (userOf(request, users)?.role !== 'Admin') {
        sendJson(response, 403, {
          message: "You'll need additional permissions to perform this action. Permissions needed: plugins:write",
          title: 'Access denied',
        });
        return true;
      }
      const update = await readJson(request);
      if (!update) {
        sendJson(response, 400, BAD_REQUEST);
        return true;
      }
      // pluginsettings updatePluginSetting: enabled, pinned and jsonData are replaced by what was sent (absent is
      // false, null); each secret sent replaces the stored one, an empty string included; a secret not sent stays.
      state.enabled = update.enabled === true;
      state.pinned = update.pinned === true;
      state.hasJsonData = update.jsonData !== undefined && update.jsonData !== null;
      Object.keys(state.jsonData).forEach((key) => delete state.jsonData[key]);
      Object.assign(state.jsonData, (update.jsonData ?? {}) as Record<string, unknown>);
      Object.assign(state.secureJsonData, (update.secureJsonData ?? {}) as Record<string, string>);
      sendJson(response, 200, { message: 'Plugin settings updated' });
      return true;
    }

    if (pathname === '/api/annotations' && request.method === 'POST') {
      // pkg/api/annotations.go PostAnnotation.
      const body = await readJson(request);
      if (!body || (body.time !== undefined && typeof body.time !== 'number')) {
        sendJson(response, 400, BAD_REQUEST);
        return true;
      }
      if (typeof body.text !== 'string' || body.text === '') {
        sendJson(response, 400, { message: 'Failed to save annotation' });
        return true;
      }
      // canCreateAnnotation: a Viewer can edit no dashboard and may create no organization annotation.
      const user = userOf(request, users);
      if (!user) {
        sendJson(response, 401, { message: 'Unauthorized' });
        return true;
      }
      if (user.role === 'Viewer') {
        sendJson(response, 403, { message: 'Access denied to this dashboard' });
        return true;
      }
      // A dashboardUID that names no dashboard is dropped: the annotation becomes the organization's.
      const stored = { ...body };
      if (typeof body.dashboardUID !== 'string' || !dashboardUids.has(body.dashboardUID)) {
        delete stored.dashboardUID;
      }
      state.annotations.push(stored);
      sendJson(response, 200, { message: 'Annotation added', id: state.annotations.length });
      return true;
    }

    return false;
  };
}
