import { APP_RUNBOOKS, brokenRunbookLink, KnownDatasource, Problem, ProvisioningInput, RunbookInfo } from './types';

// Dashboards: a uid that is unique and short enough, no "id", panel ids unique and numeric (alert rules point at
// them), panel types that exist (core or ours), datasource references that are provisioned or a datasource variable,
// and runbook links that resolve.

/** Panel types built into Grafana 11.6 to 13 (public/app/plugins/panel). */
export const CORE_PANELS = new Set([
  'alertlist',
  'annolist',
  'barchart',
  'bargauge',
  'candlestick',
  'canvas',
  'dashlist',
  'datagrid',
  'flamegraph',
  'gauge',
  'geomap',
  'gettingstarted',
  'heatmap',
  'histogram',
  'logs',
  'news',
  'nodeGraph',
  'piechart',
  'row',
  'stat',
  'state-timeline',
  'status-history',
  'table',
  'text',
  'timeseries',
  'traces',
  'trend',
  'welcome',
  'xychart',
]);
/** Datasource uids Grafana always has. */

function datasourceUidOf(ref: unknown): string | undefined {
  if (typeof ref === 'string') {
    return ref;
  }
  if (ref && typeof ref === 'object' && typeof (ref as { uid?: unknown }).uid === 'string') {
    return (ref as { uid: string }).uid;
  }
  return undefined;
}

/** The problems, and each dashboard's panel ids by uid (alert rules must point at one of them). */
export function checkDashboards(
  input: ProvisioningInput,
  runbooks: Map<string, RunbookInfo>,
  knownDatasource: KnownDatasource
): { problems: Problem[]; panelsByDashboard: Map<string, Set<number>> } {
  const problems: Problem[] = [];
  const ourPanels = new Set(input.ourPanels);
  const panelsByDashboard = new Map<string, Set<number>>();
  for (const { file, json } of input.dashboards) {
    const dashboard = json as any;
    if (!dashboard || typeof dashboard !== 'object' || typeof dashboard.uid !== 'string' || !dashboard.uid) {
      problems.push({ file, message: 'dashboard has no uid' });
      continue;
    }
    if (dashboard.uid.length > 40) {
      problems.push({ file, message: `uid "${dashboard.uid}" is longer than 40 characters` });
    }
    if (panelsByDashboard.has(dashboard.uid)) {
      problems.push({ file, message: `uid "${dashboard.uid}" is used by another dashboard too` });
    }
    if (dashboard.id !== undefined && dashboard.id !== null) {
      problems.push({ file, message: 'dashboard has an "id": provisioned dashboards must leave it out' });
    }
    const ids = new Set<number>();
    panelsByDashboard.set(dashboard.uid, ids);
    const refs: Array<[string, unknown]> = [];
    for (const variable of dashboard.templating?.list ?? []) {
      refs.push([`variable $${variable.name}`, variable.datasource]);
    }
    for (const annotation of dashboard.annotations?.list ?? []) {
      refs.push([`annotation "${annotation.name}"`, annotation.datasource]);
    }
    for (const link of dashboard.links ?? []) {
      const why =
        typeof link.url === 'string' && link.url.includes(APP_RUNBOOKS) && brokenRunbookLink(link.url, runbooks);
      if (why) {
        problems.push({ file, message: `dashboard link "${link.title}": ${why}` });
      }
    }
    for (const panel of dashboard.panels ?? []) {
      const where = `panel ${panel.id} "${panel.title}"`;
      if (typeof panel.id !== 'number') {
        problems.push({ file, message: `${where} has no numeric id (alert rules point at panel ids)` });
      } else if (ids.has(panel.id)) {
        problems.push({ file, message: `${where}: id ${panel.id} is used twice` });
      } else {
        ids.add(panel.id);
      }
      if (!CORE_PANELS.has(panel.type) && !ourPanels.has(panel.type)) {
        problems.push({ file, message: `${where}: panel type "${panel.type}" is neither a core panel nor ours` });
      }
      refs.push([where, panel.datasource]);
      for (const target of panel.targets ?? []) {
        refs.push([`${where} query ${target.refId}`, target.datasource]);
      }
      for (const link of panel.links ?? []) {
        const why =
          typeof link.url === 'string' && link.url.includes(APP_RUNBOOKS) && brokenRunbookLink(link.url, runbooks);
        if (why) {
          problems.push({ file, message: `${where} link "${link.title}": ${why}` });
        }
      }
    }
    const datasourceVariables = new Map<string, any>(
      (dashboard.templating?.list ?? []).filter((v: any) => v.type === 'datasource').map((v: any) => [v.name, v])
    );
    for (const variable of datasourceVariables.values()) {
      const uid = variable.current?.value;
      if (uid && !knownDatasource(uid)) {
        problems.push({
          file,
          message: `variable $${variable.name} defaults to datasource uid "${uid}", which nothing provisions`,
        });
      }
    }
    for (const [where, ref] of refs) {
      const uid = datasourceUidOf(ref);
      if (!uid) {
        continue;
      }
      if (uid.startsWith('$')) {
        const name = uid.replace(/^\$\{?|\}$/g, '');
        if (!datasourceVariables.has(name)) {
          problems.push({ file, message: `${where} uses ${uid}, which is not a datasource variable of the dashboard` });
        }
      } else if (!knownDatasource(uid)) {
        problems.push({ file, message: `${where} uses datasource uid "${uid}", which nothing provisions` });
      }
    }
  }
  return { problems, panelsByDashboard };
}
