// What Grafana and the runbooks need from provisioning/, checked without a Grafana: dashboards (JSON, unique uids,
// datasource uids that are provisioned, panel types that exist: core or ours, links that resolve), Grafana alert
// rule files (the file-provisioning shape, runbook links that resolve to the runbook listing the alert and to a
// heading that exists, dashboard and panel that exist), and the Prometheus rule file (the same alerts, the same
// runbook links). Pure: scripts/check-provisioning.ts reads the files, tests pass their own.
import { parseRunbook, slugOf } from '../src/runbooks/runbook';

export interface ProvisioningInput {
  /** Runbook markdown, path relative to runbooks/ (README.md included). */
  runbooks: Array<{ path: string; source: string }>;
  dashboards: Array<{ file: string; json: unknown }>;
  /** Parsed YAML of provisioning/datasources/*.yaml. */
  datasourceFiles: Array<{ file: string; doc: any }>;
  /** Parsed YAML of provisioning/alerting/*.yaml (rules, templates, ...). */
  alertingFiles: Array<{ file: string; doc: any }>;
  /** Parsed YAML of Prometheus rule files. */
  prometheusRuleFiles: Array<{ file: string; doc: any }>;
  /** Panel plugin ids this repository ships (nested plugin.json files). */
  ourPanels: string[];
}

export interface Problem {
  file: string;
  message: string;
}

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
const BUILTIN_DATASOURCES = new Set(['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --', '__expr__']);
const APP_RUNBOOKS = '/a/opsdesk-runbooks-app/runbooks/';
const NO_DATA_STATES = new Set(['NoData', 'Alerting', 'OK', 'KeepLast']);
const EXEC_ERR_STATES = new Set(['Error', 'Alerting', 'OK', 'KeepLast']);
const SEVERITIES = new Set(['critical', 'warning', 'info']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const RULE_UID = /^[a-zA-Z0-9_-]{1,40}$/;

interface RunbookInfo {
  alerts: string[];
  anchors: Set<string>;
}

function runbookIndex(runbooks: ProvisioningInput['runbooks']): Map<string, RunbookInfo> {
  const index = new Map<string, RunbookInfo>();
  for (const { path, source } of runbooks) {
    if (path === 'README.md') {
      continue;
    }
    const parsed = parseRunbook(slugOf(path), source);
    index.set(parsed.slug, {
      alerts: parsed.frontMatter?.alerts ?? [],
      anchors: new Set(parsed.headings.map((heading) => heading.anchor)),
    });
  }
  return index;
}

/** Why a link into the app's runbooks does not resolve, or undefined when it does. */
function brokenRunbookLink(url: string, runbooks: Map<string, RunbookInfo>): string | undefined {
  const rest = url.slice(url.indexOf(APP_RUNBOOKS) + APP_RUNBOOKS.length);
  const slug = rest.split(/[?#]/)[0];
  const anchor = rest.includes('#') ? rest.slice(rest.indexOf('#') + 1) : undefined;
  if (slug === '') {
    return undefined;
  }
  const runbook = runbooks.get(slug);
  if (!runbook) {
    return `runbook "${slug}" does not exist`;
  }
  if (anchor && !runbook.anchors.has(anchor)) {
    return `runbook "${slug}" has no heading #${anchor}`;
  }
  return undefined;
}

function datasourceUidOf(ref: unknown): string | undefined {
  if (typeof ref === 'string') {
    return ref;
  }
  if (ref && typeof ref === 'object' && typeof (ref as { uid?: unknown }).uid === 'string') {
    return (ref as { uid: string }).uid;
  }
  return undefined;
}

export function checkProvisioning(input: ProvisioningInput): Problem[] {
  const problems: Problem[] = [];
  const runbooks = runbookIndex(input.runbooks);
  const ourPanels = new Set(input.ourPanels);

  const datasourceUids = new Set<string>();
  for (const { file, doc } of input.datasourceFiles) {
    for (const ds of doc?.datasources ?? []) {
      if (!ds.uid) {
        problems.push({ file, message: `datasource "${ds.name}" has no fixed uid; dashboards and rules need one` });
      } else {
        datasourceUids.add(ds.uid);
      }
    }
  }
  const knownDatasource = (uid: string) => datasourceUids.has(uid) || BUILTIN_DATASOURCES.has(uid);

  // Dashboards.
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

  // Grafana-managed alert rules.
  const grafanaRules = new Map<string, string>();
  const ruleUids = new Set<string>();
  for (const { file, doc } of input.alertingFiles) {
    if (!doc || doc.apiVersion !== 1) {
      problems.push({ file, message: 'alerting provisioning files need apiVersion: 1' });
      continue;
    }
    for (const template of doc.templates ?? []) {
      if (!template.name || typeof template.template !== 'string' || !template.template.trim()) {
        problems.push({ file, message: 'a notification template needs a name and a template' });
      }
    }
    for (const group of doc.groups ?? []) {
      const where = `group "${group.name}"`;
      if (!group.name || !group.folder) {
        problems.push({ file, message: `${where} needs a name and a folder` });
      }
      if (!DURATION.test(String(group.interval ?? ''))) {
        problems.push({ file, message: `${where}: interval "${group.interval}" is not a duration` });
      }
      for (const rule of group.rules ?? []) {
        const at = `rule "${rule.title}"`;
        const fail = (message: string) => problems.push({ file, message: `${at}: ${message}` });
        if (!rule.title) {
          fail('no title');
          continue;
        }
        if (grafanaRules.has(rule.title)) {
          fail('the title is used by another rule too');
        }
        if (!RULE_UID.test(String(rule.uid ?? ''))) {
          fail(`uid "${rule.uid}" must be 1-40 letters, digits, - or _`);
        } else if (ruleUids.has(rule.uid)) {
          fail(`uid "${rule.uid}" is used twice`);
        }
        ruleUids.add(rule.uid);
        const refIds = new Set((rule.data ?? []).map((query: any) => query.refId));
        if (!rule.condition || !refIds.has(rule.condition)) {
          fail(`condition "${rule.condition}" is not the refId of one of its queries`);
        }
        for (const query of rule.data ?? []) {
          if (!knownDatasource(query.datasourceUid)) {
            fail(`query ${query.refId} uses datasource uid "${query.datasourceUid}", which nothing provisions`);
          }
          if (query.datasourceUid !== '__expr__' && !query.model?.expr) {
            fail(`query ${query.refId} has no PromQL expr`);
          }
          if (query.datasourceUid === '__expr__' && query.model?.expression && !refIds.has(query.model.expression)) {
            fail(`expression ${query.refId} reads ${query.model.expression}, which is not a query of the rule`);
          }
        }
        if (rule.for !== undefined && !DURATION.test(String(rule.for))) {
          fail(`for "${rule.for}" is not a duration`);
        }
        if (rule.noDataState && !NO_DATA_STATES.has(rule.noDataState)) {
          fail(`noDataState "${rule.noDataState}" is not one of ${[...NO_DATA_STATES].join(', ')}`);
        }
        if (rule.execErrState && !EXEC_ERR_STATES.has(rule.execErrState)) {
          fail(`execErrState "${rule.execErrState}" is not one of ${[...EXEC_ERR_STATES].join(', ')}`);
        }
        if (!SEVERITIES.has(rule.labels?.severity)) {
          fail('labels.severity must be critical, warning or info');
        }
        if (!rule.labels?.owner) {
          fail('labels.owner is missing');
        }
        if (rule.labels?.source === 'platform' && !/platform exporters/.test(rule.annotations?.description ?? '')) {
          fail('a source=platform rule must say in its description that it needs the platform exporters');
        }
        for (const key of ['summary', 'description', 'runbook_url']) {
          if (!rule.annotations?.[key]) {
            fail(`annotations.${key} is missing`);
          }
        }
        const url: string = rule.annotations?.runbook_url ?? '';
        if (url) {
          const slug = url.includes(APP_RUNBOOKS) ? url.split(APP_RUNBOOKS)[1].split(/[?#]/)[0] : '';
          const why = url.includes(APP_RUNBOOKS) ? brokenRunbookLink(url, runbooks) : 'it does not point into the app';
          if (why) {
            fail(`runbook_url ${url}: ${why}`);
          } else if (!runbooks.get(slug)?.alerts.includes(rule.title)) {
            fail(`runbook_url points at ${slug}, whose front matter does not list ${rule.title}`);
          }
          if (!url.includes(`alertname=${rule.title}`)) {
            fail('runbook_url must carry alertname=<the rule title>, so the runbook shows which alert opened it');
          }
        }
        const panels = panelsByDashboard.get(rule.dashboardUid);
        if (rule.dashboardUid && !panels) {
          fail(`dashboardUid "${rule.dashboardUid}" is not a provisioned dashboard`);
        } else if (rule.dashboardUid && !panels?.has(rule.panelId)) {
          fail(`panelId ${rule.panelId} is not a panel of ${rule.dashboardUid}`);
        }
        grafanaRules.set(rule.title, url);
      }
    }
  }

  // Prometheus rules: the same alerts with the same links.
  if (input.prometheusRuleFiles.length > 0) {
    const promRules = new Map<string, { file: string; url?: string }>();
    for (const { file, doc } of input.prometheusRuleFiles) {
      for (const group of doc?.groups ?? []) {
        for (const rule of group.rules ?? []) {
          if (rule.alert) {
            promRules.set(rule.alert, { file, url: rule.annotations?.runbook_url });
          }
        }
      }
    }
    for (const [name, { file, url }] of promRules) {
      if (!grafanaRules.has(name)) {
        problems.push({ file, message: `Prometheus alert ${name} has no Grafana-managed twin` });
      } else if (grafanaRules.get(name) !== url) {
        problems.push({ file, message: `Prometheus alert ${name} links to ${url}, the Grafana rule elsewhere` });
      }
    }
    for (const name of grafanaRules.keys()) {
      if (!promRules.has(name)) {
        problems.push({ file: 'provisioning/prometheus', message: `Grafana rule ${name} has no Prometheus twin` });
      }
    }
  }
  return problems;
}
