// The two dashboards the runbooks name, written once and rendered to src/dashboards/*.json by
// scripts/generate-provisioning.mjs. Panel titles are the ones runbooks/README.md ("## Dashboards") cites; panel ids
// are fixed because alert rules point at them (`panelId`). Every panel links to the runbook that answers it.

import { APP_RUNBOOKS, DATASOURCE_UID, EVENT_BUS_DASHBOARD, PLATFORM_DASHBOARD } from './alerts.mjs';

// Panels query through a datasource variable that defaults to the provisioned Prometheus: the same JSON is bundled
// in the app (plugin.json includes), where a Grafana without that uid picks its default Prometheus instead.
const DS = { type: 'prometheus', uid: '${datasource}' };
const DATASOURCE_VARIABLE = {
  name: 'datasource',
  label: 'Prometheus',
  type: 'datasource',
  query: 'prometheus',
  current: { selected: true, text: 'Prometheus (opsdesk)', value: DATASOURCE_UID },
  refresh: 1,
  hide: 0,
};
const GRAFANA_DS = { type: 'grafana', uid: '-- Grafana --' };

/** Tag the DLQ health panel is asked to put on its retry/purge annotations (besides the dashboard uid). */
export const DLQ_ANNOTATION_TAG = 'dlq';

function runbookLink(title, slug, anchor) {
  return { title: `Runbook: ${title}`, url: `${APP_RUNBOOKS}${slug}${anchor ? `#${anchor}` : ''}` };
}

function timeseries({ id, title, description, gridPos, targets, unit = 'short', links = [], thresholds, stack }) {
  return {
    id,
    type: 'timeseries',
    title,
    description,
    gridPos,
    datasource: DS,
    targets: targets.map(([expr, legendFormat], i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      editorMode: 'code',
      expr,
      legendFormat: legendFormat ?? '__auto',
      range: true,
    })),
    fieldConfig: {
      defaults: {
        unit,
        min: 0,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: stack ? 30 : 10,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
          ...(thresholds ? { thresholdsStyle: { mode: 'line+area' } } : {}),
        },
        thresholds: {
          mode: 'absolute',
          steps: [{ color: 'green', value: null }, ...(thresholds ?? []).map(([value, color]) => ({ color, value }))],
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    links,
  };
}

function stat({ id, title, description, gridPos, targets, links = [], mappings = [], thresholds }) {
  return {
    id,
    type: 'stat',
    title,
    description,
    gridPos,
    datasource: DS,
    targets: targets.map(([expr, legendFormat], i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      editorMode: 'code',
      expr,
      legendFormat,
      instant: true,
      range: false,
    })),
    fieldConfig: {
      defaults: {
        mappings,
        thresholds: {
          mode: 'absolute',
          steps: [{ color: 'red', value: null }, ...(thresholds ?? []).map(([value, color]) => ({ color, value }))],
        },
      },
      overrides: [],
    },
    options: {
      colorMode: 'background',
      graphMode: 'none',
      justifyMode: 'auto',
      orientation: 'auto',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      textMode: 'value_and_name',
    },
    links,
  };
}

const UP_MAPPINGS = [
  {
    type: 'value',
    options: { 0: { text: 'down', color: 'red', index: 0 }, 1: { text: 'up', color: 'green', index: 1 } },
  },
];

function dashboard({ uid, title, description, tags, links, panels, templating = [], annotations = [] }) {
  return {
    uid,
    title,
    description,
    tags,
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    links,
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: GRAFANA_DS,
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        ...annotations,
      ],
    },
    templating: { list: [DATASOURCE_VARIABLE, ...templating] },
    panels,
  };
}

const DLQ = (anchor) => runbookLink('DLQ management', 'dlq-management', anchor);
const PERF = (anchor) => runbookLink('Performance issues', 'troubleshooting/performance-issues', anchor);
const AUTH = (anchor) => runbookLink('Authentication failures', 'troubleshooting/auth-failures', anchor);

const STREAM = 'stream=~"$stream"';

export const EVENT_BUS = dashboard({
  uid: EVENT_BUS_DASHBOARD,
  title: 'Event bus',
  description:
    'The opsdesk event bus (Redis Streams) and its dead-letter queue: what is stuck, why, and the actions the DLQ runbook asks for.',
  tags: ['opsdesk', 'event-bus', 'dlq'],
  links: [
    { type: 'link', title: 'Runbooks', url: APP_RUNBOOKS.replace(/\/$/, ''), icon: 'doc', keepTime: false },
    { type: 'link', title: 'DLQ management runbook', url: `${APP_RUNBOOKS}dlq-management`, icon: 'doc' },
    { type: 'dashboards', title: 'opsdesk', tags: ['opsdesk'], asDropdown: true, keepTime: true, includeVars: false },
  ],
  annotations: [
    {
      datasource: GRAFANA_DS,
      enable: true,
      hide: false,
      iconColor: 'orange',
      name: 'DLQ retries and purges',
      target: { type: 'tags', tags: [DLQ_ANNOTATION_TAG], matchAny: true, limit: 100 },
    },
  ],
  templating: [
    {
      name: 'stream',
      label: 'Stream',
      type: 'query',
      datasource: DS,
      query: 'label_values(eventbus_stream_length, stream)',
      definition: 'label_values(eventbus_stream_length, stream)',
      includeAll: true,
      multi: true,
      allValue: '.*',
      current: { selected: true, text: ['All'], value: ['$__all'] },
      refresh: 2,
      sort: 1,
    },
  ],
  panels: [
    {
      id: 1,
      type: 'opsdesk-dlqhealth-panel',
      title: 'DLQ health',
      description:
        'Live from the event-bus API through Grafana: inspect, retry, purge and verify. Buttons follow your Grafana role.',
      gridPos: { x: 0, y: 0, w: 24, h: 12 },
      options: {},
      links: [DLQ('inspect-the-entries'), DLQ('retry'), DLQ('verify')],
    },
    timeseries({
      id: 2,
      title: 'DLQ depth by stream',
      description: 'Entries in the dead-letter queue, by the stream they came from.',
      gridPos: { x: 0, y: 12, w: 8, h: 8 },
      targets: [[`sum by (stream) (eventbus_dlq_length{${STREAM}})`, '{{stream}}']],
      stack: true,
      links: [DLQ('inspect-the-entries')],
    }),
    timeseries({
      id: 3,
      title: 'Oldest DLQ entry age',
      description: 'Age of the oldest DLQ entry; EventBusDlqOldestMessageTooOld fires above one hour.',
      gridPos: { x: 8, y: 12, w: 8, h: 8 },
      targets: [['max(eventbus_dlq_oldest_entry_age_seconds)', 'oldest entry']],
      unit: 's',
      thresholds: [[3600, 'red']],
      links: [DLQ('inspect-the-entries')],
    }),
    timeseries({
      id: 4,
      title: 'Dead-lettered per second',
      description: 'Messages entering the DLQ, by origin stream; EventBusDlqBacklogGrowing watches this.',
      gridPos: { x: 16, y: 12, w: 8, h: 8 },
      targets: [
        [`sum by (stream) (rate(eventbus_dlq_dead_lettered_total{${STREAM}}[$__rate_interval]))`, '{{stream}}'],
      ],
      unit: 'ops',
      links: [DLQ('check-the-event-bus-health')],
    }),
    timeseries({
      id: 5,
      title: 'Retried and purged per second',
      description: 'Messages leaving the DLQ through retries and purges.',
      gridPos: { x: 0, y: 20, w: 8, h: 8 },
      targets: [
        ['sum(rate(eventbus_dlq_retried_messages_total[$__rate_interval]))', 'retried'],
        ['sum(rate(eventbus_dlq_purged_messages_total[$__rate_interval]))', 'purged'],
      ],
      unit: 'ops',
      links: [DLQ('retry'), DLQ('purge')],
    }),
    timeseries({
      id: 6,
      title: 'DLQ operation duration',
      description: '95th percentile duration of retries and purges, by operation and outcome.',
      gridPos: { x: 8, y: 20, w: 8, h: 8 },
      targets: [
        [
          'histogram_quantile(0.95, sum by (operation, outcome, le) (rate(eventbus_dlq_operation_duration_seconds_bucket[$__rate_interval])))',
          '{{operation}} {{outcome}}',
        ],
      ],
      unit: 's',
      links: [DLQ('verify')],
    }),
    timeseries({
      id: 7,
      title: 'Stream length',
      description: 'Entries in each main stream.',
      gridPos: { x: 16, y: 20, w: 8, h: 8 },
      targets: [[`sum by (stream) (eventbus_stream_length{${STREAM}})`, '{{stream}}']],
      links: [PERF('event-bus-consumers-falling-behind')],
    }),
    timeseries({
      id: 8,
      title: 'Consumer lag',
      description: 'Entries not yet delivered to each consumer group; EventBusConsumerLagHigh fires above 1,000.',
      gridPos: { x: 0, y: 28, w: 8, h: 8 },
      targets: [[`max by (stream, group) (eventbus_stream_group_lag{${STREAM}})`, '{{stream}} {{group}}']],
      thresholds: [[1000, 'red']],
      links: [PERF('event-bus-consumers-falling-behind')],
    }),
    timeseries({
      id: 9,
      title: 'Pending per group',
      description: 'Delivered but unacknowledged entries; EventBusConsumerPendingHigh fires above 100.',
      gridPos: { x: 8, y: 28, w: 8, h: 8 },
      targets: [[`max by (stream, group) (eventbus_stream_group_messages_pending{${STREAM}})`, '{{stream}} {{group}}']],
      thresholds: [[100, 'red']],
      links: [PERF('event-bus-consumers-falling-behind')],
    }),
    stat({
      id: 10,
      title: 'Redis up',
      description: 'Whether Prometheus reaches the event-bus service, and whether the service reaches Redis.',
      gridPos: { x: 16, y: 28, w: 8, h: 8 },
      targets: [
        ['max(up{service="event-bus"})', 'event-bus service'],
        ['max(eventbus_redis_up)', 'Redis'],
      ],
      mappings: UP_MAPPINGS,
      thresholds: [[1, 'green']],
      links: [DLQ('when-the-event-bus-or-redis-is-down')],
    }),
    timeseries({
      id: 11,
      title: 'Event bus request rate',
      description: 'Requests to the event-bus API by route and status.',
      gridPos: { x: 0, y: 36, w: 8, h: 8 },
      targets: [
        [
          'sum by (route, status) (rate(http_requests_total{service="event-bus"}[$__rate_interval]))',
          '{{route}} {{status}}',
        ],
      ],
      unit: 'reqps',
      links: [PERF('find-the-slow-layer')],
    }),
    timeseries({
      id: 12,
      title: 'Event bus errors',
      description: '4xx and 5xx answers of the event-bus API, 401s included; EventBusAuthFailures watches the 401s.',
      gridPos: { x: 8, y: 36, w: 8, h: 8 },
      targets: [
        [
          'sum by (status) (rate(http_requests_total{service="event-bus",status=~"4..|5.."}[$__rate_interval]))',
          '{{status}}',
        ],
      ],
      unit: 'reqps',
      links: [AUTH('event-bus-401s')],
    }),
    timeseries({
      id: 13,
      title: 'Event bus latency',
      description: '99th percentile time to answer, by route.',
      gridPos: { x: 16, y: 36, w: 8, h: 8 },
      targets: [
        [
          'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{service="event-bus"}[$__rate_interval])))',
          '{{route}}',
        ],
      ],
      unit: 's',
      links: [PERF('find-the-slow-layer')],
    }),
  ],
});

const PLATFORM_NOTE =
  'Needs the platform exporters: prom-client in the NestJS API, the FastAPI instrumentator in the agents and postgres_exporter, scraped with a `service` label (api, agent-<name>). The compose stack and the local run export only the event bus, so most panels here stay empty there.';

export const PLATFORM = dashboard({
  uid: PLATFORM_DASHBOARD,
  title: 'Platform overview',
  description: `The opsdesk platform: API, agent services, PostgreSQL. ${PLATFORM_NOTE}`,
  tags: ['opsdesk', 'platform'],
  links: [
    { type: 'link', title: 'Runbooks', url: APP_RUNBOOKS.replace(/\/$/, ''), icon: 'doc' },
    { type: 'link', title: 'Incident response runbook', url: `${APP_RUNBOOKS}incident-response`, icon: 'doc' },
    { type: 'dashboards', title: 'opsdesk', tags: ['opsdesk'], asDropdown: true, keepTime: true, includeVars: false },
  ],
  panels: [
    {
      id: 11,
      type: 'text',
      title: 'About this dashboard',
      gridPos: { x: 0, y: 0, w: 24, h: 3 },
      options: { mode: 'markdown', content: PLATFORM_NOTE },
    },
    timeseries({
      id: 1,
      title: 'API request rate',
      description: 'Requests to the API by route.',
      gridPos: { x: 0, y: 3, w: 8, h: 8 },
      targets: [['sum by (route) (rate(http_requests_total{service="api"}[$__rate_interval]))', '{{route}}']],
      unit: 'reqps',
      links: [PERF('find-the-slow-layer')],
    }),
    timeseries({
      id: 2,
      title: 'API error rate',
      description: 'Share of API requests answered 5xx; ApiHighErrorRate fires above 5%.',
      gridPos: { x: 8, y: 3, w: 8, h: 8 },
      targets: [
        [
          'sum(rate(http_requests_total{service="api",status=~"5.."}[$__rate_interval])) / sum(rate(http_requests_total{service="api"}[$__rate_interval]))',
          '5xx share',
        ],
      ],
      unit: 'percentunit',
      thresholds: [[0.05, 'red']],
      links: [runbookLink('Incident response', 'incident-response', 'the-first-fifteen-minutes')],
    }),
    timeseries({
      id: 3,
      title: 'API latency',
      description: '99th percentile of the API; ApiHighLatency fires above 1 s.',
      gridPos: { x: 16, y: 3, w: 8, h: 8 },
      targets: [
        [
          'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="api"}[$__rate_interval])))',
          'p99',
        ],
      ],
      unit: 's',
      thresholds: [[1, 'red']],
      links: [PERF('api-latency')],
    }),
    timeseries({
      id: 4,
      title: 'API event-loop lag',
      description: 'A blocked Node event loop in the API (above 0.1 s: CPU-bound work).',
      gridPos: { x: 0, y: 11, w: 8, h: 8 },
      targets: [['max by (instance) (nodejs_eventloop_lag_p99_seconds{service="api"})', '{{instance}}']],
      unit: 's',
      thresholds: [[0.1, 'red']],
      links: [PERF('api-latency')],
    }),
    timeseries({
      id: 5,
      title: '401s per service',
      description: '401 answers per second by service (API, agents, event bus).',
      gridPos: { x: 8, y: 11, w: 8, h: 8 },
      targets: [['sum by (service) (rate(http_requests_total{status="401"}[$__rate_interval]))', '{{service}}']],
      unit: 'reqps',
      links: [AUTH('find-where-the-401s-are')],
    }),
    timeseries({
      id: 6,
      title: 'Agent request rate',
      description: 'Requests to each agent service.',
      gridPos: { x: 16, y: 11, w: 8, h: 8 },
      targets: [['sum by (service) (rate(http_requests_total{service=~"agent-.+"}[$__rate_interval]))', '{{service}}']],
      unit: 'reqps',
      links: [runbookLink('Agent errors', 'troubleshooting/agent-errors', 'scope-the-failure')],
    }),
    timeseries({
      id: 7,
      title: 'Agent error rate',
      description: "Share of each agent's requests answered 5xx; AgentErrorRateHigh fires above 5%.",
      gridPos: { x: 0, y: 19, w: 8, h: 8 },
      targets: [
        [
          'sum by (service) (rate(http_requests_total{service=~"agent-.+",status=~"5.."}[$__rate_interval])) / sum by (service) (rate(http_requests_total{service=~"agent-.+"}[$__rate_interval]))',
          '{{service}}',
        ],
      ],
      unit: 'percentunit',
      thresholds: [[0.05, 'red']],
      links: [runbookLink('Agent errors', 'troubleshooting/agent-errors', 'find-the-error-class')],
    }),
    timeseries({
      id: 8,
      title: 'Agent latency',
      description: '99th percentile of each agent; AgentHighLatency fires above 5 s.',
      gridPos: { x: 8, y: 19, w: 8, h: 8 },
      targets: [
        [
          'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"agent-.+"}[$__rate_interval])))',
          '{{service}}',
        ],
      ],
      unit: 's',
      thresholds: [[5, 'red']],
      links: [PERF('agent-latency')],
    }),
    stat({
      id: 9,
      title: 'Scrape targets up',
      description: 'Whether Prometheus could scrape each service.',
      gridPos: { x: 16, y: 19, w: 8, h: 8 },
      targets: [['max by (service) (up)', '{{service}}']],
      mappings: UP_MAPPINGS,
      thresholds: [[1, 'green']],
      links: [runbookLink('Agent errors', 'troubleshooting/agent-errors', 'is-the-agent-running')],
    }),
    timeseries({
      id: 10,
      title: 'PostgreSQL connections',
      description:
        'Connections in use against max_connections; DatabaseConnectionsSaturated fires above 80%, DatabaseDown when pg_up is 0.',
      gridPos: { x: 0, y: 27, w: 24, h: 8 },
      targets: [
        ['sum(pg_stat_activity_count)', 'in use'],
        ['max(pg_settings_max_connections)', 'max_connections'],
        ['max(pg_up)', 'pg_up'],
      ],
      links: [PERF('database-connections-saturated'), runbookLink('Database recovery', 'database-recovery')],
    }),
  ],
});

export const DASHBOARDS = [
  { file: 'event-bus.json', json: EVENT_BUS },
  { file: 'platform-overview.json', json: PLATFORM },
];
