import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
/** Grafana's own page for the app's settings; it renders our config page. */
export const PLUGIN_CONFIG_URL = `/plugins/${PLUGIN_ID}`;
/** Browser-side prefix of the data-proxy routes declared in plugin.json. */
export const PROXY_BASE_URL = `/api/plugin-proxy/${PLUGIN_ID}`;

export enum ROUTES {
  Runbooks = 'runbooks',
  /** Suffix of a runbook's path for the view beside its dashboard. */
  Beside = 'beside',
  /** Resolves an alert name to the runbook that answers it. */
  Alert = 'alert',
  Status = 'status',
}

/** Plugin RBAC actions declared under `roles` in plugin.json; the proxy routes require them too. */
export const DLQ_ACTIONS = {
  read: `${PLUGIN_ID}.dlq:read`,
  retry: `${PLUGIN_ID}.dlq:retry`,
  purge: `${PLUGIN_ID}.dlq:purge`,
} as const;

/** The data proxy has no response deadline for app routes, so every call to the event bus sets its own. */
export const EVENT_BUS_TIMEOUT_MS = 10_000;
