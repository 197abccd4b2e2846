// The harness's stand-in for Grafana's frontend: the real @grafana/data, @grafana/ui and @grafana/runtime, a signed-in
// user whose role the test chooses, backendSrv over fetch, and the built plugin loaded from dist/ as Grafana loads it.
import type { ComponentType } from 'react';

import type { AppPlugin, PanelPlugin } from '@grafana/data';

import pluginJson from '../../../plugin.json';
import { loadPluginModule } from './amd';
import { createBackendSrv } from './backendSrv';
import { createDashboardHost } from './dashboard';
import { createPluginPage } from './pluginPage';

const PLUGIN_ID = pluginJson.id;

async function main() {
  const role = localStorage.getItem('harness.role') ?? 'Admin';
  // Grafana picks the theme for the page it serves from `?theme=` when that names a theme, else the user's preference
  // (pkg/api/index.go getThemeForIndexData @ c68d7f1e); the harness's user prefers dark, Grafana's default.
  const themeParam = new URLSearchParams(window.location.search).get('theme');
  const themeMode = themeParam === 'light' ? 'light' : 'dark';
  const permissions = await (await fetch(`/harness/permissions?role=${role}`)).json();
  // @grafana/runtime reads its config from here when it is first imported, so this comes before it.
  const user = {
    id: 1,
    login: `harness-${role.toLowerCase()}`,
    orgRole: role,
    orgId: 1,
    isSignedIn: true,
    permissions,
    theme: themeMode,
    lightTheme: themeMode === 'light',
  };
  // Typed by @grafana/runtime for what Grafana's own index page sets; the host sets what the app reads.
  (window as unknown as { __grafana_public_path__: string }).__grafana_public_path__ = '/public/';
  (window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
    settings: { appSubUrl: '', appUrl: `${window.location.origin}/`, buildInfo: { version: '13.1.1', edition: 'OSS' } },
    user,
    navTree: [],
  };

  const [React, ReactDOM, ReactDOMClient, ReactRouter, ReactRouterDom, data, ui, runtime, rxjs, emotionCss] =
    await Promise.all([
      import('react'),
      import('react-dom'),
      import('react-dom/client'),
      import('react-router'),
      import('react-router-dom'),
      import('@grafana/data'),
      import('@grafana/ui'),
      import('@grafana/runtime'),
      import('rxjs'),
      import('@emotion/css'),
    ]);
  runtime.setBackendSrv(createBackendSrv(`Bearer harness-${role}`));
  runtime.setCurrentUser(user as unknown as Parameters<typeof runtime.setCurrentUser>[0]);
  runtime.setAppEvents(new data.EventBusSrv());
  // Grafana swaps its page chrome in for PluginPage at start with setPluginPage, which @grafana/runtime 13.1.1 marks
  // @internal and leaves out of its published exports. The plugins get the runtime with that one export replaced.
  const HarnessPluginPage = createPluginPage(
    { React, ui, data },
    { id: PLUGIN_ID, name: 'Runbooks', includes: pluginJson.includes }
  );
  const pluginRuntime = new Proxy(runtime, {
    get: (target, key, receiver) => (key === 'PluginPage' ? HarnessPluginPage : Reflect.get(target, key, receiver)),
  });

  const shared: Record<string, unknown> = {
    react: React,
    'react-dom': ReactDOM,
    'react-router': ReactRouter,
    'react-router-dom': ReactRouterDom,
    '@grafana/data': data,
    '@grafana/ui': ui,
    '@grafana/runtime': pluginRuntime,
    rxjs,
    '@emotion/css': emotionCss,
  };
  const { plugin } = (await loadPluginModule(`/public/plugins/${PLUGIN_ID}/module.js`, shared)) as {
    plugin: AppPlugin;
  };
  const settings = await (await fetch(`/api/plugins/${PLUGIN_ID}/settings`)).json();
  const meta = {
    id: PLUGIN_ID,
    name: 'Runbooks',
    type: data.PluginType.app,
    info: {},
    module: '',
    baseUrl: '',
    ...settings,
  };
  plugin.init(meta);
  plugin.meta = meta;

  const theme = data.createTheme({ colors: { mode: themeMode } });
  const history = runtime.locationService.getHistory();

  // Grafana drives react-router 6 from its own history (history 4); this adapter does the same.
  const HistoryRouter = ({ children }: { children: React.ReactNode }) => {
    const [location, setLocation] = React.useState(history.location);
    React.useEffect(() => history.listen((next: typeof history.location) => setLocation(next)), []);
    const navigator = {
      push: (to: string) => history.push(to),
      replace: (to: string) => history.replace(to),
      go: (delta: number) => history.go(delta),
      createHref: (to: string) => history.createHref(typeof to === 'string' ? { pathname: to } : to),
    };
    return React.createElement(ReactRouter.Router, { location, navigator: navigator as never }, children);
  };

  // The nested panel plugin, loaded from its own module.js like the app's, for the stand-in dashboards.
  const panelInclude = pluginJson.includes.find((include) => include.type === 'panel')!;
  const panelDir = panelInclude.path.replace(/\/plugin\.json$/, '');
  const { plugin: panelPlugin } = (await loadPluginModule(
    `/public/plugins/${PLUGIN_ID}/${panelDir}/module.js`,
    shared
  )) as {
    plugin: PanelPlugin;
  };
  const panelMeta = await (await fetch(`/public/plugins/${PLUGIN_ID}/${panelDir}/plugin.json`)).json();
  const dashboards = createDashboardHost(panelPlugin, panelMeta, { React, data, ui, runtime });
  // Grafana registers EmbeddedDashboard at start; a test can leave it out to see what an older Grafana shows.
  if (localStorage.getItem('harness.embeddedDashboard') !== 'off') {
    runtime.setEmbeddedDashboard(dashboards.EmbeddedDashboard);
  }

  const Root = plugin.root as unknown as ComponentType<Record<string, unknown>>;
  const configPage = plugin.configPages?.[0];
  const App = () =>
    React.createElement(
      data.ThemeContext.Provider,
      { value: theme },
      React.createElement(ui.GlobalStyles),
      React.createElement(
        HistoryRouter,
        null,
        React.createElement(
          'main',
          { style: { padding: 16 } },
          React.createElement(
            ReactRouter.Routes,
            null,
            React.createElement(ReactRouter.Route, {
              path: `/a/${PLUGIN_ID}/*`,
              element: React.createElement(Root, {
                meta,
                query: {},
                basename: `/a/${PLUGIN_ID}`,
                onNavChanged: () => {},
              }),
            }),
            configPage &&
              React.createElement(ReactRouter.Route, {
                path: `/plugins/${PLUGIN_ID}`,
                element: React.createElement(configPage.body, { plugin, query: {} }),
              }),
            React.createElement(ReactRouter.Route, {
              path: `/panel/${panelDir.replace(/^panels\//, '')}`,
              element: React.createElement(dashboards.PanelPage),
            })
          )
        )
      )
    );

  document.body.dataset.theme = theme.colors.mode;
  ReactDOMClient.createRoot(document.getElementById('root')!).render(React.createElement(App));
  document.body.dataset.harnessReady = 'true';
}

main().catch((error) => {
  document.body.dataset.harnessError = String(error?.stack ?? error);
  console.error('harness host failed to start', error);
});
