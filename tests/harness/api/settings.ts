import { sendJson, userOf } from '../grafanaProxy';
import { ApiHandler, BAD_REQUEST, readJson } from './state';

// `GET` and `POST /api/plugins/<id>/settings`: the app's settings as Grafana stores them.

export const handleSettings: ApiHandler = async (request, response, { url, pluginJson, state, users }) => {
  const { pathname } = url;
  const settingsPath = `/api/plugins/${pluginJson.id}/settings`;
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

  return false;
};
