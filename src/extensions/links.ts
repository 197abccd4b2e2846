import { PluginExtensionAddedLinkConfig, PluginExtensionPanelContext, PluginExtensionPoints } from '@grafana/data';

import linkIndex from 'runbooks/links.catalog';
import { alertResolverPath, besidePath, runbookIndexPath } from 'runbooks/urls';

import { PLUGIN_BASE_URL } from '../constants';

// These configs are imported by module.tsx, so they load when Grafana starts: they use the small link index
// compiled from the runbooks, never the catalog itself.

/** What Grafana passes to `grafana/alerting/instance/action` links (`PluginExtensionPoints` in @grafana/data); every part may be missing. */
export interface AlertInstanceContext {
  rule?: { name?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  instance?: { labels?: Record<string, string>; annotations?: Record<string, string>; state?: string };
}

/**
 * The instance's own `runbook_url` when it points into this app (Grafana renders its label templates per
 * instance); otherwise the resolver with the alert's name and labels.
 */
export function alertRunbookPath(context: AlertInstanceContext | undefined): string | undefined {
  const runbookUrl = context?.instance?.annotations?.runbook_url ?? context?.rule?.annotations?.runbook_url;
  const inApp = runbookUrl?.indexOf(`${PLUGIN_BASE_URL}/`) ?? -1;
  if (runbookUrl && inApp >= 0) {
    return runbookUrl.slice(inApp);
  }
  const labels = { ...context?.rule?.labels, ...context?.instance?.labels };
  const alertname = labels.alertname ?? context?.rule?.name;
  return alertname ? alertResolverPath(alertname, labels) : undefined;
}

export const alertInstanceLink: PluginExtensionAddedLinkConfig<AlertInstanceContext> = {
  targets: [PluginExtensionPoints.AlertInstanceAction],
  title: 'Open runbook',
  description: 'Open the runbook that answers this alert, with its labels',
  icon: 'book-open',
  path: runbookIndexPath(),
  configure: (context) => {
    const path = alertRunbookPath(context);
    return path ? { path } : undefined;
  },
};

function rawTime(value: PluginExtensionPanelContext['timeRange']['from']): string {
  return typeof value === 'string' ? value : String(value.valueOf());
}

/** The runbook for the panel's dashboard, beside it, with the panel's time range; `undefined` when none relates. */
export function panelRunbookPath(context: PluginExtensionPanelContext | undefined): string | undefined {
  const uid = context?.dashboard?.uid;
  const slug = uid ? linkIndex.byDashboard[uid] : undefined;
  if (!uid || !slug) {
    return undefined;
  }
  const params = new URLSearchParams();
  if (context?.timeRange) {
    params.set('from', rawTime(context.timeRange.from));
    params.set('to', rawTime(context.timeRange.to));
  }
  return besidePath(slug, uid, params);
}

export const panelMenuLink: PluginExtensionAddedLinkConfig<PluginExtensionPanelContext> = {
  targets: [PluginExtensionPoints.DashboardPanelMenu],
  title: 'Open runbook beside',
  description: 'Read the runbook for this dashboard beside it, with the same time range',
  icon: 'book-open',
  path: runbookIndexPath(),
  configure: (context) => {
    const path = panelRunbookPath(context);
    return path ? { path } : undefined;
  },
};
