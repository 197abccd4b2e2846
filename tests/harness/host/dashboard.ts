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

export interface DashboardJson {
  uid: string;
  title: string;
  time?: { from: string; to: string };
  timezone?: string;
  refresh?: string | false;
  panels: DashboardPanel[];
}

/** The url-synced state of the stand-in dashboard: its time range and refresh picker (it has no variables). */
export interface DashboardUrlState {
  from: string;
  to: string;
  timezone?: string;
  refresh?: string;
}

/** A dashboard once loaded, with the state its uid started from. */
export interface LoadedDashboard {
  uid: string;
  dashboard: DashboardJson;
  state: DashboardUrlState;
}

type DataLibrary = Pick<Libraries['data'], 'urlUtil' | 'toUtc'>;

/** The time picker's quick ranges the stand-in offers, as Grafana labels them. */
const QUICK_RANGES: Array<[string, string]> = [
  ['now-5m', 'Last 5 minutes'],
  ['now-15m', 'Last 15 minutes'],
  ['now-1h', 'Last 1 hour'],
  ['now-6h', 'Last 6 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'],
];

// @grafana/scenes utils/parseUrlParam.ts parseUrlParam: how SceneTimeRange reads `from` and `to` from a URL.
export function parseUrlTime(data: DataLibrary, value: string | null): string | null {
  if (value === null) {
    return null;
  }
  if (value.indexOf('now') !== -1 || /^\d+[yYmMsSwWhHdD]$/.test(value)) {
    return value;
  }
  const formats: Record<number, string> = { 8: 'YYYYMMDD', 15: 'YYYYMMDDTHHmmss' };
  if (formats[value.length]) {
    const utc = data.toUtc(value, formats[value.length]);
    if (utc.isValid()) {
      return utc.toISOString();
    }
  } else if (value.length === 24) {
    return data.toUtc(value).toISOString();
  }
  const epoch = parseInt(value, 10);
  return isNaN(epoch) ? null : data.toUtc(epoch).toISOString();
}

/**
 * The state a dashboard starts from: its JSON's time, time zone and refresh (the scene Grafana builds from it), then
 * `initialState` over them as sceneUtils.syncStateFromSearchParams applies it.
 */
export function initialDashboardState(
  data: DataLibrary,
  dashboard: DashboardJson,
  initialState?: string
): DashboardUrlState {
  const state: DashboardUrlState = { from: dashboard.time?.from ?? 'now-6h', to: dashboard.time?.to ?? 'now' };
  if (dashboard.timezone) {
    state.timezone = dashboard.timezone;
  }
  if (typeof dashboard.refresh === 'string' && dashboard.refresh) {
    state.refresh = dashboard.refresh;
  }
  const params = new URLSearchParams(initialState ?? '');
  // @grafana/scenes core/SceneTimeRange.tsx updateFromUrl: nothing changes unless `from` or `to` is given.
  if (params.has('from') || params.has('to')) {
    const from = parseUrlTime(data, params.get('from'));
    const to = parseUrlTime(data, params.get('to'));
    state.from = from ?? state.from;
    state.to = to ?? state.to;
    const timezone = params.get('timezone');
    if (timezone !== null) {
      state.timezone = timezone || undefined;
    }
  }
  // @grafana/scenes components/SceneRefreshPicker.tsx updateFromUrl: an interval string (not rounded to the picker's
  // intervals here).
  const refresh = params.get('refresh');
  if (refresh && /^\d+[smhdwMy]$/.test(refresh)) {
    state.refresh = refresh;
  }
  return state;
}

/**
 * public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx EmbeddedDashboardRenderer: initialState is
 * applied once, when a uid's dashboard has loaded; a later initialState for the same uid is ignored.
 */
export function loadedState(
  data: DataLibrary,
  previous: unknown,
  dashboard: DashboardJson,
  initialState?: string
): LoadedDashboard {
  const current = previous as Partial<LoadedDashboard> | undefined;
  if (current?.uid === dashboard.uid && current.dashboard && current.state) {
    return current as LoadedDashboard;
  }
  return { uid: dashboard.uid, dashboard, state: initialDashboardState(data, dashboard, initialState) };
}

/**
 * What onStateChange receives: urlUtil.renderUrl('', sceneUtils.getUrlState(model)), with a leading `?`. Keys in
 * scene order: the time range (from, to, timezone when set; @grafana/scenes SceneTimeRange getUrlState), then the
 * refresh picker (refresh when set; SceneRefreshPicker getUrlState).
 */
export function embeddedStateString(data: Pick<DataLibrary, 'urlUtil'>, state: DashboardUrlState): string {
  const query: Record<string, string> = { from: state.from, to: state.to };
  if (state.timezone) {
    query.timezone = state.timezone;
  }
  if (state.refresh) {
    query.refresh = state.refresh;
  }
  return data.urlUtil.renderUrl('', query);
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
  const RefreshButton = ({
    eventBus,
    onRefresh,
  }: {
    eventBus: InstanceType<typeof data.EventBusSrv>;
    onRefresh?: () => void;
  }) =>
    h(ui.Button, {
      size: 'sm',
      variant: 'secondary',
      icon: 'sync',
      onClick: () => {
        eventBus.publish(new runtime.RefreshEvent());
        onRefresh?.();
      },
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
      h(
        'div',
        { style: { marginBottom: 8 }, 'data-harness-chrome': '' },
        h(RefreshButton, { eventBus: state.eventBus })
      ),
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

  /** The dashboard's time picker, cut down to a few quick ranges: it changes the time range as Grafana's does. */
  const TimeRangeControl = ({ state, onChange }: { state: DashboardUrlState; onChange: (from: string) => void }) =>
    h(ui.RadioButtonGroup, {
      size: 'sm',
      'aria-label': 'Time range',
      options: QUICK_RANGES.map(([from, label]) => ({ value: from, label })),
      value: state.to === 'now' ? state.from : undefined,
      onChange: (value: unknown) => onChange(String(value)),
    });

  const EmbeddedDashboard = ({ uid, initialState, onStateChange }: EmbeddedDashboardProps) => {
    const [loaded, setLoaded] = React.useState<LoadedDashboard | { uid: string | undefined; error: string }>();
    const [eventBus] = React.useState(() => new data.EventBusSrv());
    const [listeners] = React.useState(() => new Set<(state: DashboardUrlState) => void>());
    const { ref, width } = useWidth();
    // Grafana applies the initialState it has when the dashboard has loaded; a ref keeps the latest prop for that.
    const initialStateRef = React.useRef(initialState);
    initialStateRef.current = initialState;

    // public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx EmbeddedDashboard: load on [uid].
    React.useEffect(() => {
      let current = true;
      setLoaded(undefined);
      fetch(`/api/dashboards/uid/${encodeURIComponent(uid ?? '')}`)
        .then(async (response) => {
          const body = await response.json().catch(() => undefined);
          if (!response.ok || !body?.dashboard) {
            // public/app/core/utils/errors.ts getMessageFromError: data.message, else statusText.
            throw new Error(body?.message || response.statusText);
          }
          return body.dashboard as DashboardJson;
        })
        .then(
          (dashboard) =>
            current && setLoaded((previous) => loadedState(data, previous, dashboard, initialStateRef.current)),
          (error: Error) => current && setLoaded({ uid, error: error.message })
        );
      return () => {
        current = false;
      };
    }, [uid]);

    // public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx useSubscribeToEmbeddedUrlState: on a change of
    // url-synced state, onStateChange(urlUtil.renderUrl('', state)) when that string differs from the last one this
    // subscription sent (none at first, so a refresh that leaves it as it was still sends it once); never on mount.
    React.useEffect(() => {
      if (!onStateChange) {
        return;
      }
      let lastState = '';
      const listener = (state: DashboardUrlState) => {
        const stateAsString = embeddedStateString(data, state);
        if (lastState !== stateAsString) {
          lastState = stateAsString;
          onStateChange(stateAsString);
        }
      };
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    }, [listeners, onStateChange]);

    const state = loaded && 'state' in loaded ? loaded.state : undefined;
    const { from, to } = state ?? { from: 'now-6h', to: 'now' };
    const timeRange = React.useMemo(() => data.rangeUtil.convertRawToRange({ from, to }), [from, to]);
    const style: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 8, width: '100%' };

    if (loaded && 'error' in loaded) {
      // public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx: the load error in an Alert.
      return h(ui.Alert, { severity: 'error', title: 'Failed to load dashboard', children: loaded.error });
    }
    if (!loaded || !state) {
      // public/app/features/dashboard-scene/embedding/EmbeddedDashboard.tsx: a Spinner while loading.
      return h(ui.Spinner);
    }
    const { dashboard } = loaded;
    const changeState = (next: DashboardUrlState) => {
      setLoaded({ ...loaded, state: next });
      listeners.forEach((listener) => listener(next));
    };
    const own = dashboard.panels.filter((p) => p.type === meta.id);
    const others = dashboard.panels.length - own.length;
    return h(
      'div',
      { ref, style, 'data-harness-dashboard': dashboard.uid },
      h(
        'div',
        {
          style: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8, flexWrap: 'wrap' },
          'data-harness-chrome': '',
        },
        h(ui.Text, { element: 'h2', variant: 'h4', children: dashboard.title }),
        h(
          'div',
          { style: { display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' } },
          h(TimeRangeControl, { state, onChange: (next: string) => changeState({ ...state, from: next, to: 'now' }) }),
          h(ui.Text, { color: 'secondary', variant: 'bodySmall', children: `${from} to ${to}` }),
          // @grafana/scenes SceneRefreshPicker onRefresh: the time range re-evaluates, a state change of a url-synced
          // object even when the URL state stays the same.
          h(RefreshButton, { eventBus, onRefresh: () => changeState({ ...state }) })
        )
      ),
      others > 0 &&
        h(
          'div',
          { 'data-harness-chrome': '' },
          h(ui.Text, {
            color: 'secondary',
            variant: 'bodySmall',
            children: `The harness draws only this plugin's panels; ${others} more query Prometheus.`,
          })
        ),
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
