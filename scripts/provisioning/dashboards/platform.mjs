import { PLATFORM_DASHBOARD, APP_RUNBOOKS } from '../ids.mjs';
import { UP_MAPPINGS, PERF, AUTH, runbookLink, timeseries, stat, dashboard } from './panels.mjs';

// The Platform overview dashboard: the API, the agent services and PostgreSQL.

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
