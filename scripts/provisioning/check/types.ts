import { PLUGIN_BASE_URL, ROUTES } from '../../../src/constants';
import { parseRunbook, slugOf } from '../../../src/runbooks/runbook';

// What every rule takes and returns, and what several rules share: the runbooks' alerts and headings (a link into
// the app must resolve to both) and the datasources provisioning declares.

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

/** How a runbook's page is addressed in a dashboard link or an alert's runbook_url. */
export const APP_RUNBOOKS = `${PLUGIN_BASE_URL}/${ROUTES.Runbooks}/`;
/** Datasource uids Grafana always has. */
const BUILTIN_DATASOURCES = new Set(['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --', '__expr__']);

export interface RunbookInfo {
  alerts: string[];
  anchors: Set<string>;
}

export function runbookIndex(runbooks: ProvisioningInput['runbooks']): Map<string, RunbookInfo> {
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
export function brokenRunbookLink(url: string, runbooks: Map<string, RunbookInfo>): string | undefined {
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

/** Whether a datasource uid is one provisioning declares or one Grafana always has. */
export type KnownDatasource = (uid: string) => boolean;

export function knownDatasources(declared: Set<string>): KnownDatasource {
  return (uid) => declared.has(uid) || BUILTIN_DATASOURCES.has(uid);
}
