import { actionsOf, BasicRole, sendJson } from '../grafanaProxy';
import { ApiHandler } from './state';

// `GET /harness/permissions?role=`: not a Grafana endpoint. Grafana gives the frontend the signed-in user's
// permissions in its boot data; the host page asks here for those of the role the test chose, as plugin.json grants
// them (README.md, "The signed-in user").

export const handlePermissions: ApiHandler = async (_request, response, { url, pluginJson }) => {
  if (url.pathname !== '/harness/permissions') {
    return false;
  }
  const role = (url.searchParams.get('role') ?? 'Viewer') as BasicRole;
  sendJson(response, 200, Object.fromEntries([...actionsOf(pluginJson, role)].map((action) => [action, true])));
  return true;
};
