import { sendJson } from '../grafanaProxy';
import { ApiHandler } from './state';

// `GET /api/dashboards/uid/<uid>`: the dashboards the app bundles, as the beside view loads them to embed. The
// `{ dashboard, meta }` shape and the 404 message are what the app reads; the harness sends an empty `meta`
// (assumption: the app reads nothing from it, so its fields were not taken from Grafana's source).

export const handleDashboards: ApiHandler = async (request, response, { url, dashboards }) => {
  const prefix = '/api/dashboards/uid/';
  if (!url.pathname.startsWith(prefix) || request.method !== 'GET') {
    return false;
  }
  const dashboard = dashboards.get(decodeURIComponent(url.pathname.slice(prefix.length)));
  sendJson(response, dashboard ? 200 : 404, dashboard ? { dashboard, meta: {} } : { message: 'Dashboard not found' });
  return true;
};
