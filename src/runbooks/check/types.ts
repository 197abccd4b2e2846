import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import type { ParsedRunbook } from '../runbook';

// What every rule takes and returns. A rule is a pure function over the files (and the provisioning they are held
// against); index.ts runs them all.

export type Rule =
  | 'front-matter'
  | 'sections'
  | 'links'
  | 'dashboards'
  | 'alerts'
  | 'event-bus-api'
  | 'metrics'
  | 'secrets'
  | 'hostnames'
  | 'commands'
  | 'shellcheck'
  | 'stale';

export interface Finding {
  /** Path from the repository root. */
  file: string;
  line: number;
  severity: 'error' | 'warning';
  rule: Rule;
  message: string;
  fix: string;
}

export interface SourceFile {
  /** Path from the repository root, for example `runbooks/dlq-management.md`. */
  path: string;
  source: string;
}

export interface AlertRule {
  name: string;
  runbookUrl?: string;
  file: string;
  line: number;
}

export interface CheckInput {
  /** Every markdown file under `runbooks/`; `runbooks/README.md` is the index and has no template. */
  files: SourceFile[];
  /** Uids of the provisioned dashboards; `undefined` until the project provisions any. */
  dashboards?: Set<string>;
  /** Provisioned alert rules (Grafana-managed and Prometheus); `undefined` until the project provisions any. */
  alertRules?: AlertRule[];
  /** Method and path template of each operation in `event-bus/openapi.yaml`; `undefined` when it is absent. */
  eventBusApi?: Array<{ method: string; path: string }>;
  /**
   * Metric names something in the stack exports; name prefixes of exporters' default metrics (any name with one is
   * accepted); and the namespaces of this repository's own exporters, in which any name mentioned in code must be
   * exported (others, such as `pg_`, also prefix SQL functions and CLI tools).
   */
  metrics?: { names: Set<string>; prefixes: string[]; namespaces: string[] };
  today: Date;
}

export const RUNBOOKS_DIR = 'runbooks';
/** The index of the runbook folder: it has no template. */
export const INDEX = `${RUNBOOKS_DIR}/README.md`;
/** How a runbook's page is addressed in a link or an alert's runbook_url. */
export const APP_RUNBOOK_PATH = `${PLUGIN_BASE_URL}/${ROUTES.Runbooks}/`;

/** The line of a front-matter key, for findings about its value (the whole front matter's first line when absent). */
export function lineOfKey(parsed: ParsedRunbook, key: string): number {
  const index = (parsed.frontMatterText ?? '').split('\n').findIndex((line) => line.startsWith(`${key}:`));
  // Line 1 is the opening `---`.
  return index < 0 ? 1 : index + 2;
}
