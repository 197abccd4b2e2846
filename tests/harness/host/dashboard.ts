// Stand-ins for what a Grafana dashboard gives the nested panel plugin: a panel page (one panel alone, as Grafana's
// solo view) and EmbeddedDashboard (the component Grafana registers in @grafana/runtime), drawing a provisioned
// dashboard's panels of this plugin with the options the dashboard JSON gives them. No other panel type is drawn:
// the harness has no Prometheus and no Grafana panel plugins.
import type { ComponentType, CSSProperties } from 'react';

import type { PanelPlugin, PanelProps, TimeRange } from '@grafana/data';
import type { EmbeddedDashboardProps } from '@grafana/runtime';

export interface Libraries {
  React: typeof import('react');
  data: typeof import('@grafana/data');
  ui: typeof import('@grafana/ui');
  runtime: typeof import('@grafana/runtime');
}

interface DashboardPanel {
  id: number;
  type: string;
  title?: string;
  gridPos?: { h: number; w: number };
  options?: Record<string, unknown>;
}

interface DashboardJson {
  uid: string;
  title: string;
  time?: { from: string; to: string };
  panels: DashboardPanel[];
}

/** Grafana's dashboard grid: 30 px rows with 8 px between them (GRID_CELL_HEIGHT, GRID_CELL_VMARGIN). */
const GRID_ROW_PX = 30;
const GRID_MARGIN_PX = 8;

/** The panel plugin's own `plugin.json`, as far as a dashboard reads it. */
interface PanelMeta {
  id: string;
  name: string;
}

export function createDashboardHost(panel: PanelPlugin, meta: PanelMeta, { React, data, ui, runtime }: Libraries) {
  // Grafana fills this registry with its option editors at start; the harness renders no panel editor, so only the
  // ids matter: the builder refuses an option whose editor id is unknown.
  data.standardEditorsRegistry.setInit(() =>
    ['text', 'number', 'boolean', 'select', 'radio'].map((id) => ({ id, name: id, editor: () => null }))
  );
  const builder = new data.PanelOptionsEditorBuilder<Record<string, unknown>>();
  panel.getPanelOptionsSupplier()(builder, { data: [] });
  const defaults = Object.fromEntries(builder.getItems().map((item) => [item.path, item.defaultValue]));
  const Panel = panel.panel as unknown as ComponentType<PanelProps>;
  const h = React.createElement;

  interface PluginPanelProps {
    title: string;
    options: Record<string, unknown>;
    width: number;
    height: number;
    dashboardUid: string;
    timeRange: TimeRange;
    eventBus: InstanceType<typeof data.EventBusSrv>;
  }

  /** One panel of the plugin in PanelChrome, its options over the plugin's defaults, with a query that ran empty. */
  const PluginPanel = ({ title, options, width, height, dashboardUid, timeRange, eventBus }: PluginPanelProps) =>
    h(ui.PanelChrome, {
      width,
      height,
      title,
      padding: panel.noPadding ? 'none' : 'md',
      children: (innerWidth: number, innerHeight: number) =>
        h(Panel, {
          id: 1,
          title,
          data: { state: data.LoadingState.Done, series: [], timeRange },
          timeRange,
          timeZone: 'browser',
          options: { ...defaults, ...options },
          fieldConfig: { defaults: {}, overrides: [] },
          transparent: false,
          width: innerWidth,
          height: innerHeight,
          renderCounter: 0,
          eventBus,
          onOptionsChange: () => {},
          onFieldConfigChange: () => {},
          onChangeTimeRange: () => {},
          replaceVariables: (value: string) => value.split('${__dashboard.uid}').join(dashboardUid),
        }),
    });

  /** The dashboard's refresh picker: RefreshEvent on the panels' event bus. */
  const RefreshButton = ({ eventBus }: { eventBus: InstanceType<typeof data.EventBusSrv> }) =>
    h(ui.Button, {
      size: 'sm',
      variant: 'secondary',
      icon: 'sync',
      onClick: () => eventBus.publish(new runtime.RefreshEvent()),
      children: 'Refresh dashboard',
    });

  /**
   * /panel/<dir>?dashboard=<uid>&options=<JSON>: the panel alone on a dashboard, 1200 × 640 px unless `width` and
   * `height` say otherwise.
   */
  const PanelPage = () => {
    const [state] = React.useState(() => {
      const params = new URLSearchParams(window.location.search);
      return {
        dashboardUid: params.get('dashboard') ?? 'opsdesk-event-bus',
        width: Number(params.get('width') ?? 1200),
        height: Number(params.get('height') ?? 640),
        options: JSON.parse(params.get('options') ?? '{}') as Record<string, unknown>,
        title: params.get('title') ?? meta.name,
        timeRange: data.getDefaultTimeRange(),
        eventBus: new data.EventBusSrv(),
      };
    });
    return h(
      'div',
      null,
      h('div', { style: { marginBottom: 8 } }, h(RefreshButton, { eventBus: state.eventBus })),
      h(PluginPanel, state)
    );
  };

  /** Width of the element `ref` is given to, following resizes (the beside view's divider). */
  const useWidth = () => {
    const [element, ref] = React.useState<HTMLDivElement | null>(null);
    const [width, setWidth] = React.useState(0);
    React.useEffect(() => {
      if (!element) {
        return;
      }
      const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
      observer.observe(element);
      return () => observer.disconnect();
    }, [element]);
    return { ref, width };
  };

  const EmbeddedDashboard = ({ uid, initialState }: EmbeddedDashboardProps) => {
    const [dashboard, setDashboard] = React.useState<DashboardJson | null>();
    const [eventBus] = React.useState(() => new data.EventBusSrv());
    const { ref, width } = useWidth();
    React.useEffect(() => {
      fetch(`/api/dashboards/uid/${encodeURIComponent(uid ?? '')}`)
        .then((response) => (response.ok ? response.json() : { dashboard: null }))
        .then((body) => setDashboard(body.dashboard));
    }, [uid]);
    const state = new URLSearchParams(initialState ?? '');
    const from = state.get('from') ?? dashboard?.time?.from ?? 'now-6h';
    const to = state.get('to') ?? dashboard?.time?.to ?? 'now';
    const timeRange = React.useMemo(() => data.rangeUtil.convertRawToRange({ from, to }), [from, to]);
    const style: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 8, width: '100%' };

    if (dashboard === undefined) {
      return h(ui.LoadingPlaceholder, { text: 'Loading dashboard...' });
    }
    if (dashboard === null) {
      return h(ui.Alert, { severity: 'error', title: `Dashboard ${uid} not found` });
    }
    const own = dashboard.panels.filter((p) => p.type === meta.id);
    const others = dashboard.panels.length - own.length;
    return h(
      'div',
      { ref, style, 'data-harness-dashboard': dashboard.uid },
      h(
        'div',
        { style: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 } },
        h(ui.Text, { element: 'h2', variant: 'h4', children: dashboard.title }),
        h(
          'div',
          { style: { display: 'flex', gap: 8, alignItems: 'center' } },
          h(ui.Text, { color: 'secondary', variant: 'bodySmall', children: `${from} to ${to}` }),
          h(RefreshButton, { eventBus })
        )
      ),
      others > 0 &&
        h(ui.Text, {
          color: 'secondary',
          variant: 'bodySmall',
          children: `The harness draws only this plugin's panels; ${others} more query Prometheus.`,
        }),
      width > 0 &&
        own.map((p) =>
          h(PluginPanel, {
            key: p.id,
            title: p.title ?? '',
            options: p.options ?? {},
            width,
            height: (p.gridPos?.h ?? 8) * (GRID_ROW_PX + GRID_MARGIN_PX) - GRID_MARGIN_PX,
            dashboardUid: dashboard.uid,
            timeRange,
            eventBus,
          })
        )
    );
  };

  return { PanelPage, EmbeddedDashboard };
}
