import { APP_RUNBOOKS, DATASOURCE_UID } from '../ids.mjs';

// The builders both dashboards are written with: panels, runbook links, the datasource variable.

// Panels query through a datasource variable that defaults to the provisioned Prometheus: the same JSON is bundled
// in the app (plugin.json includes), where a Grafana without that uid picks its default Prometheus instead.
export const DS = { type: 'prometheus', uid: '${datasource}' };
export const DATASOURCE_VARIABLE = {
  name: 'datasource',
  label: 'Prometheus',
  type: 'datasource',
  query: 'prometheus',
  current: { selected: true, text: 'Prometheus (opsdesk)', value: DATASOURCE_UID },
  refresh: 1,
  hide: 0,
};
export const GRAFANA_DS = { type: 'grafana', uid: '-- Grafana --' };

/** Tag the DLQ health panel is asked to put on its retry/purge annotations (besides the dashboard uid). */
export const DLQ_ANNOTATION_TAG = 'dlq';

export function runbookLink(title, slug, anchor) {
  return { title: `Runbook: ${title}`, url: `${APP_RUNBOOKS}${slug}${anchor ? `#${anchor}` : ''}` };
}

export function timeseries({
  id,
  title,
  description,
  gridPos,
  targets,
  unit = 'short',
  links = [],
  thresholds,
  stack,
}) {
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

export function stat({ id, title, description, gridPos, targets, links = [], mappings = [], thresholds }) {
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

export const UP_MAPPINGS = [
  {
    type: 'value',
    options: { 0: { text: 'down', color: 'red', index: 0 }, 1: { text: 'up', color: 'green', index: 1 } },
  },
];

export function dashboard({ uid, title, description, tags, links, panels, templating = [], annotations = [] }) {
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

export const DLQ = (anchor) => runbookLink('DLQ management', 'dlq-management', anchor);
export const PERF = (anchor) => runbookLink('Performance issues', 'troubleshooting/performance-issues', anchor);
export const AUTH = (anchor) => runbookLink('Authentication failures', 'troubleshooting/auth-failures', anchor);
