// The two dashboards the runbooks name, written once and rendered to src/dashboards/*.json by
// scripts/generate-provisioning.mjs. Panel titles are the ones runbooks/README.md ("## Dashboards") cites; panel ids
// are fixed because alert rules point at them (`panelId`). Every panel links to the runbook that answers it. One module per dashboard in dashboards/,
// built with dashboards/panels.mjs.

import { EVENT_BUS } from './dashboards/eventBus.mjs';
import { PLATFORM } from './dashboards/platform.mjs';

export const DASHBOARDS = [
  { file: 'event-bus.json', json: EVENT_BUS },
  { file: 'platform-overview.json', json: PLATFORM },
];
