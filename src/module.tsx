// Wiring only: everything imported here is in the bundle Grafana loads when it starts, before any page of the app
// is opened. Pages and the config page are loaded lazily; extension links, which must be known at start, go here.
import React, { lazy, Suspense } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import type { AppConfigProps } from 'components/AppConfig/AppConfig';
import { alertInstanceLink, panelMenuLink } from 'extensions/links';
import { AppJsonData } from 'types';

const LazyApp = lazy(() => import('components/App/App'));
const LazyAppConfig = lazy(() => import('components/AppConfig/AppConfig'));

const App = (props: AppRootProps<AppJsonData>) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

const AppConfig = (props: AppConfigProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyAppConfig {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<AppJsonData>()
  .setRootPage(App)
  .addConfigPage({
    title: 'Configuration',
    icon: 'cog',
    body: AppConfig,
    id: 'configuration',
  })
  .addLink(alertInstanceLink)
  .addLink(panelMenuLink);
