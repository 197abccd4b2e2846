import { EVENT_BUS_DASHBOARD, APP_RUNBOOKS } from '../ids.mjs';
import {
  DS,
  GRAFANA_DS,
  UP_MAPPINGS,
  DLQ,
  PERF,
  AUTH,
  timeseries,
  stat,
  dashboard,
  DLQ_ANNOTATION_TAG,
} from './panels.mjs';

// The Event bus dashboard: DLQ depth and age, consumer groups, the service's health and the DLQ panel.

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
