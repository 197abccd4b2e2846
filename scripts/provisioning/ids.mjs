// The names the generated dashboards, alert rules and runbook links share.
import fs from 'node:fs';

const PLUGIN_ID = JSON.parse(fs.readFileSync(new URL('../../plugin.json', import.meta.url), 'utf8')).id;

export const DATASOURCE_UID = 'opsdesk-prometheus';
/** The app's runbook pages (src/constants.ts: PLUGIN_BASE_URL and ROUTES.Runbooks). */
export const APP_RUNBOOKS = `/a/${PLUGIN_ID}/runbooks/`;
export const EVENT_BUS_DASHBOARD = 'opsdesk-event-bus';
export const PLATFORM_DASHBOARD = 'opsdesk-platform-overview';
