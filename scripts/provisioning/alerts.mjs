// The alert rules, written once. scripts/generate-provisioning.mjs renders them as Grafana-managed rules
// (provisioning/alerting/opsdesk-alert-rules.yaml) and as a Prometheus rule file
// (provisioning/prometheus/rules/opsdesk-alerts.yaml), so the two can never disagree.
//
// `query` is what Grafana's query A returns (one value per series); the rule fires when `query <op> threshold`,
// which is also the Prometheus expression. Thresholds and durations follow the runbooks' "When to Use" sections.
// `source: event-bus` rules are observable in the compose stack and the local run; `source: platform` rules need
// the platform's own exporters (the NestJS API, the FastAPI agents, postgres_exporter), which run outside this
// repository, so in the stack they have no data and stay Normal; ApiDown and DatabaseDown, which count a missing
// target as down, fire there. One module per source, in alerts/.

import { EVENT_BUS_ALERTS } from './alerts/eventBus.mjs';
import { PLATFORM_ALERTS } from './alerts/platform.mjs';
import { APP_RUNBOOKS } from './ids.mjs';

export { DATASOURCE_UID } from './ids.mjs';

/**
 * @typedef {object} AlertDefinition
 * @property {string} name            alertname, the Grafana title and the Prometheus `alert`
 * @property {string} uid             Grafana rule uid (stable, at most 40 characters)
 * @property {string} runbook         runbook slug; its front matter lists the alert
 * @property {string} [anchor]        heading anchor in the runbook
 * @property {string[]} params        alert labels carried into the runbook URL
 * @property {'critical'|'warning'} severity
 * @property {string} owner
 * @property {'event-bus'|'platform'} source
 * @property {Record<string,string>} [labels] extra static labels
 * @property {string} query           PromQL returning the measured value per series
 * @property {'gt'|'lt'} op
 * @property {number} threshold
 * @property {string} for
 * @property {'OK'|'NoData'|'Alerting'} noData what Grafana does when the query returns nothing
 * @property {string} summary         may use {{ $labels.x }} and %VALUE%
 * @property {string} description
 * @property {string} dashboard       dashboard uid
 * @property {number} panelId
 */

/** @type {AlertDefinition[]} */
export const ALERTS = [...EVENT_BUS_ALERTS, ...PLATFORM_ALERTS];

/**
 * The relative runbook link with the alert's labels as parameters, templated for the rule engine (Grafana and
 * Prometheus both expand `{{ $labels.x }}`; `urlquery` is Go text/template's own escaper, so a stream such as
 * `{events}:orders` survives the query string).
 */
export function runbookUrl(alert) {
  // A static label of the rule is not among $labels of an aggregated series: write its value itself.
  const value = (p) => alert.labels?.[p] ?? `{{ $labels.${p} | urlquery }}`;
  const params = [`alertname=${alert.name}`, ...alert.params.map((p) => `${p}=${value(p)}`)];
  return `${APP_RUNBOOKS}${alert.runbook}?${params.join('&')}${alert.anchor ? `#${alert.anchor}` : ''}`;
}
