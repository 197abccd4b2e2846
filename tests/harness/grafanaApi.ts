// Stand-ins for the Grafana HTTP API endpoints the app calls besides the data proxy, one module per endpoint in
// api/: the app's settings, annotations, dashboards, and the signed-in user's permissions. Each behaviour follows
// Grafana's source; the table in README.md here names the file for each and the test that pins it.
import type http from 'node:http';

import { handleAnnotations } from './api/annotations';
import { handleDashboards } from './api/dashboards';
import { handlePermissions } from './api/permissions';
import { handleSettings } from './api/settings';
import type { ApiContext, ApiHandler } from './api/state';

const HANDLERS: ApiHandler[] = [handleSettings, handleAnnotations, handleDashboards, handlePermissions];

/** Resolves true when one of the endpoints handled the request, else false with the request untouched. */
export function grafanaApiHandler(org: Omit<ApiContext, 'url'>) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean> => {
    const context = { ...org, url: new URL(request.url ?? '/', 'http://grafana.invalid') };
    for (const handle of HANDLERS) {
      if (await handle(request, response, context)) {
        return true;
      }
    }
    return false;
  };
}
