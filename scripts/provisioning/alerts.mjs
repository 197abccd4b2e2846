// The alert rules, written once. scripts/generate-provisioning.mjs renders them as Grafana-managed rules
// (provisioning/alerting/opsdesk-alert-rules.yaml) and as a Prometheus rule file
// (provisioning/prometheus/rules/opsdesk-alerts.yaml), so the two can never disagree.
//
// `query` is what Grafana's query A returns (one value per series); the rule fires when `query <op> threshold`,
// which is also the Prometheus expression. Thresholds and durations follow the runbooks' "When to Use" sections.
// `source: event-bus` rules are observable in the compose stack and the local run; `source: platform` rules need
// the platform's own exporters (the NestJS API, the FastAPI agents, postgres_exporter), which run outside this
// repository, so in the stack they have no data and stay Normal.

import fs from 'node:fs';

const PLUGIN_ID = JSON.parse(fs.readFileSync(new URL('../../plugin.json', import.meta.url), 'utf8')).id;

export const DATASOURCE_UID = 'opsdesk-prometheus';
/** The app's runbook pages (src/constants.ts: PLUGIN_BASE_URL and ROUTES.Runbooks). */
export const APP_RUNBOOKS = `/a/${PLUGIN_ID}/runbooks/`;
export const EVENT_BUS_DASHBOARD = 'opsdesk-event-bus';
export const PLATFORM_DASHBOARD = 'opsdesk-platform-overview';

const PLATFORM_NOTE =
  'Needs the platform exporters (NestJS API, FastAPI agents, postgres_exporter); the compose stack and the local run have no data for it.';

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
export const ALERTS = [
  {
    name: 'EventBusDlqBacklogGrowing',
    uid: 'opsdesk-eventbus-dlq-backlog',
    runbook: 'dlq-management',
    params: ['stream'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'event-bus',
    // Dead-lettered in the last 10 minutes, for streams whose DLQ entries are still there.
    query:
      'sum by (stream) (increase(eventbus_dlq_dead_lettered_total[10m])) and on (stream) (sum by (stream) (eventbus_dlq_length) > 0)',
    op: 'gt',
    threshold: 0,
    for: '5m',
    noData: 'OK',
    summary: 'Messages from {{ $labels.stream }} keep being dead-lettered (%VALUE% in 10 minutes)',
    description:
      'Consumers of {{ $labels.stream }} have failed messages past the delivery limit for 5 minutes and the DLQ keeps them. Inspect the reasons in the DLQ health panel before retrying.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 4,
  },
  {
    name: 'EventBusDlqOldestMessageTooOld',
    uid: 'opsdesk-eventbus-dlq-oldest',
    runbook: 'dlq-management',
    params: [],
    severity: 'warning',
    owner: 'platform-team',
    source: 'event-bus',
    query: 'max(eventbus_dlq_oldest_entry_age_seconds)',
    op: 'gt',
    threshold: 3600,
    for: '5m',
    noData: 'OK',
    summary: 'The oldest DLQ entry is %VALUE%s old',
    description:
      'Something has sat in the dead-letter queue for more than an hour: a customer action that never completed. Inspect the oldest entries first.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 3,
  },
  {
    name: 'EventBusDown',
    uid: 'opsdesk-eventbus-down',
    runbook: 'dlq-management',
    anchor: 'when-the-event-bus-or-redis-is-down',
    params: ['service'],
    severity: 'critical',
    owner: 'platform-team',
    source: 'event-bus',
    labels: { service: 'event-bus' },
    query: 'max(up{service="event-bus"})',
    op: 'lt',
    threshold: 1,
    for: '2m',
    // No scrape target at all is as bad as a failing one.
    noData: 'Alerting',
    summary: 'Prometheus cannot scrape the event-bus service',
    description:
      'No event-bus instance answered /metrics for 2 minutes: the DLQ panel, retries and purges do not work until it is back.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 10,
  },
  {
    name: 'EventBusRedisDown',
    uid: 'opsdesk-eventbus-redis-down',
    runbook: 'dlq-management',
    anchor: 'when-the-event-bus-or-redis-is-down',
    params: [],
    severity: 'critical',
    owner: 'platform-team',
    source: 'event-bus',
    query: 'max(eventbus_redis_up)',
    op: 'lt',
    threshold: 1,
    for: '1m',
    // When the service itself is down EventBusDown fires; do not page twice.
    noData: 'OK',
    summary: 'The event-bus service cannot reach Redis',
    description:
      'The event-bus service reports Redis unreachable for 1 minute: consumers cannot read and every DLQ action answers 503.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 10,
  },
  {
    name: 'EventBusConsumerLagHigh',
    uid: 'opsdesk-eventbus-consumer-lag',
    runbook: 'troubleshooting/performance-issues',
    anchor: 'event-bus-consumers-falling-behind',
    params: ['stream', 'group'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'event-bus',
    query: 'max by (stream, group) (eventbus_stream_group_lag)',
    op: 'gt',
    threshold: 1000,
    for: '10m',
    noData: 'OK',
    summary: 'Group {{ $labels.group }} is %VALUE% entries behind on {{ $labels.stream }}',
    description:
      'The consumer group has had more than 1,000 undelivered entries for 10 minutes: its consumers are too few, too slow or stuck.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 8,
  },
  {
    name: 'EventBusConsumerPendingHigh',
    uid: 'opsdesk-eventbus-consumer-pending',
    runbook: 'troubleshooting/performance-issues',
    anchor: 'event-bus-consumers-falling-behind',
    params: ['stream', 'group'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'event-bus',
    query: 'max by (stream, group) (eventbus_stream_group_messages_pending)',
    op: 'gt',
    threshold: 100,
    for: '15m',
    noData: 'OK',
    summary: 'Group {{ $labels.group }} holds %VALUE% unacknowledged messages of {{ $labels.stream }}',
    description:
      'More than 100 messages were delivered to the group but not acknowledged for 15 minutes: consumers crash or hang mid-message.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 9,
  },
  {
    name: 'EventBusAuthFailures',
    uid: 'opsdesk-eventbus-auth-failures',
    runbook: 'troubleshooting/auth-failures',
    anchor: 'event-bus-401s',
    params: ['service'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'event-bus',
    labels: { service: 'event-bus' },
    query: 'sum(rate(http_requests_total{service="event-bus",status="401"}[5m]))',
    op: 'gt',
    threshold: 0.05,
    for: '5m',
    noData: 'OK',
    summary: 'The event-bus service answers 401 (%VALUE% per second)',
    description:
      'Callers of the event-bus API send a wrong or retired token, usually Grafana after a half-done key rotation; the DLQ panel shows 401.',
    dashboard: EVENT_BUS_DASHBOARD,
    panelId: 12,
  },
  {
    name: 'ApiDown',
    uid: 'opsdesk-api-down',
    runbook: 'incident-response',
    params: ['service'],
    severity: 'critical',
    owner: 'platform-team',
    source: 'platform',
    labels: { service: 'api' },
    query: 'max(up{service="api"})',
    op: 'lt',
    threshold: 1,
    for: '2m',
    noData: 'OK',
    summary: 'Prometheus cannot scrape any API instance',
    description: `No API instance answered /metrics for 2 minutes: users are failing now. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 9,
  },
  {
    name: 'ApiHighErrorRate',
    uid: 'opsdesk-api-error-rate',
    runbook: 'incident-response',
    params: ['service'],
    severity: 'critical',
    owner: 'platform-team',
    source: 'platform',
    labels: { service: 'api' },
    query:
      'sum(rate(http_requests_total{service="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="api"}[5m]))',
    op: 'gt',
    threshold: 0.05,
    for: '5m',
    noData: 'OK',
    summary: 'API requests failing with 5xx: %VALUE% of all',
    description: `More than 5% of API requests answered 5xx for 5 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 2,
  },
  {
    name: 'ApiAuthFailures',
    uid: 'opsdesk-api-auth-failures',
    runbook: 'troubleshooting/auth-failures',
    anchor: 'api-401s',
    params: ['service'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'platform',
    labels: { service: 'api' },
    query:
      'sum(rate(http_requests_total{service="api",status="401"}[5m])) / sum(rate(http_requests_total{service="api"}[5m]))',
    op: 'gt',
    threshold: 0.1,
    for: '10m',
    noData: 'OK',
    summary: 'API answers 401 to %VALUE% of requests',
    description: `More than 10% of API requests answered 401 for 10 minutes: a signing key or client secret changed on one side only. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 5,
  },
  {
    name: 'AgentAuthFailures',
    uid: 'opsdesk-agent-auth-failures',
    runbook: 'troubleshooting/auth-failures',
    anchor: 'agent-401s',
    params: ['service'],
    severity: 'warning',
    owner: 'agents-team',
    source: 'platform',
    query: 'sum by (service) (rate(http_requests_total{service=~"agent-.+",status="401"}[5m]))',
    op: 'gt',
    threshold: 0.05,
    for: '5m',
    noData: 'OK',
    summary: '{{ $labels.service }} answers 401 to the API (%VALUE% per second)',
    description: `The agent rejects the API key the API sends. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 5,
  },
  {
    name: 'ApiHighLatency',
    uid: 'opsdesk-api-latency',
    runbook: 'troubleshooting/performance-issues',
    anchor: 'api-latency',
    params: ['service'],
    severity: 'warning',
    owner: 'platform-team',
    source: 'platform',
    labels: { service: 'api' },
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="api"}[5m])))',
    op: 'gt',
    threshold: 1,
    for: '10m',
    noData: 'OK',
    summary: 'API p99 latency is %VALUE%s',
    description: `The API's 99th percentile has been above 1 s for 10 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 3,
  },
  {
    name: 'AgentHighLatency',
    uid: 'opsdesk-agent-latency',
    runbook: 'troubleshooting/performance-issues',
    anchor: 'agent-latency',
    params: ['service'],
    severity: 'warning',
    owner: 'agents-team',
    source: 'platform',
    query:
      'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"agent-.+"}[5m])))',
    op: 'gt',
    threshold: 5,
    for: '10m',
    noData: 'OK',
    summary: '{{ $labels.service }} p99 latency is %VALUE%s',
    description: `The agent's 99th percentile has been above 5 s for 10 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 8,
  },
  {
    name: 'DatabaseConnectionsSaturated',
    uid: 'opsdesk-db-connections',
    runbook: 'troubleshooting/performance-issues',
    anchor: 'database-connections-saturated',
    params: [],
    severity: 'warning',
    owner: 'platform-team',
    source: 'platform',
    query: 'sum(pg_stat_activity_count) / max(pg_settings_max_connections)',
    op: 'gt',
    threshold: 0.8,
    for: '5m',
    noData: 'OK',
    summary: 'PostgreSQL connections at %VALUE% of max_connections',
    description: `Connections in use have been above 80% of max_connections for 5 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 10,
  },
  {
    name: 'AgentErrorRateHigh',
    uid: 'opsdesk-agent-error-rate',
    runbook: 'troubleshooting/agent-errors',
    params: ['service'],
    severity: 'warning',
    owner: 'agents-team',
    source: 'platform',
    query:
      'sum by (service) (rate(http_requests_total{service=~"agent-.+",status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{service=~"agent-.+"}[5m]))',
    op: 'gt',
    threshold: 0.05,
    for: '10m',
    noData: 'OK',
    summary: '{{ $labels.service }} answers 5xx to %VALUE% of requests',
    description: `More than 5% of the agent's requests answered 5xx for 10 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 7,
  },
  {
    name: 'AgentDown',
    uid: 'opsdesk-agent-down',
    runbook: 'troubleshooting/agent-errors',
    params: ['service'],
    severity: 'critical',
    owner: 'agents-team',
    source: 'platform',
    query: 'max by (service) (up{service=~"agent-.+"})',
    op: 'lt',
    threshold: 1,
    for: '2m',
    noData: 'OK',
    summary: 'Prometheus cannot scrape any instance of {{ $labels.service }}',
    description: `No instance of the agent answered /metrics for 2 minutes. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 9,
  },
  {
    name: 'DatabaseDown',
    uid: 'opsdesk-database-down',
    runbook: 'database-recovery',
    params: [],
    severity: 'critical',
    owner: 'platform-team',
    source: 'platform',
    query: 'max(pg_up)',
    op: 'lt',
    threshold: 1,
    for: '1m',
    noData: 'OK',
    summary: 'The postgres exporter cannot reach PostgreSQL',
    description: `pg_up has been 0 for 1 minute: the API cannot read or write. Most outages need no restore. ${PLATFORM_NOTE}`,
    dashboard: PLATFORM_DASHBOARD,
    panelId: 10,
  },
];

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
