// Checks every runbook against the rules in src/runbooks/check/ (one module per rule) and the rest of the
// repository: provisioned dashboards and alert rules, the event-bus OpenAPI description and the metrics the stack
// exports; and runs shellcheck over its shell blocks (scripts/shellcheckRunbooks.ts).
// Prints `file:line: message. Fix: ...`, exits 1 on any error; stale reviews are warnings.
//
// A team that builds the plugin with its own runbooks (docs/own-runbooks.md) points the checker at its folders:
//   RUNBOOKS_DIR     the runbook folder (default: runbooks/)
//   DASHBOARDS_DIR   the dashboards its runbooks name, as JSON (default: src/dashboards/)
//   ALERT_RULES_DIR  its Grafana-managed or Prometheus alert rules, as YAML (default: provisioning/alerting/ and
//                    provisioning/prometheus/)
// Relative paths are from the working directory.
import fs from 'fs';
import path from 'path';
import { parse, parseDocument, LineCounter, isMap, isSeq, YAMLMap } from 'yaml';

import { checkRunbooks } from '../src/runbooks/check/checkRunbooks';
import { AlertRule, CheckInput, INDEX, RUNBOOKS_DIR } from '../src/runbooks/check/types';
import { filesUnder, readRepoFile as read, ROOT } from './repoFiles';
import { shellcheckRunbooks } from './shellcheckRunbooks';

/** A folder named by the environment (absolute, from the working directory) or, unset, the repository's. */
function folders(variable: string, defaults: string[]): string[] {
  const value = process.env[variable];
  return value ? [path.resolve(value)] : defaults.map((dir) => path.join(ROOT, dir));
}

/** Files under the folders matching the pattern, with the path findings name each by: from the working directory. */
function filesIn(dirs: string[], pattern: RegExp): Array<{ file: string; shown: string }> {
  return dirs.flatMap((dir) =>
    filesUnder(path.relative(ROOT, dir), pattern).map((file) => ({ file: path.join(ROOT, file), shown: shown(file) }))
  );
}

function shown(fromRoot: string): string {
  const relative = path.relative(process.cwd(), path.join(ROOT, fromRoot));
  return relative.startsWith('..') ? path.join(ROOT, fromRoot) : relative.split(path.sep).join('/');
}

function dashboardUids(): Set<string> | undefined {
  const files = filesIn(folders('DASHBOARDS_DIR', ['src/dashboards']), /\.json$/);
  if (files.length === 0) {
    return undefined;
  }
  return new Set(
    files.map(({ file }) => JSON.parse(fs.readFileSync(file, 'utf8')).uid).filter((uid): uid is string => Boolean(uid))
  );
}

/** Grafana-managed rules (`title`) and Prometheus rules (`alert`), with the line each starts on. */
function provisionedAlertRules(): AlertRule[] | undefined {
  const files = filesIn(folders('ALERT_RULES_DIR', ['provisioning/alerting', 'provisioning/prometheus']), /\.ya?ml$/);
  const rules: AlertRule[] = [];
  for (const { file: absolute, shown: file } of files) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(fs.readFileSync(absolute, 'utf8'), { lineCounter });
    const groups = doc.get('groups');
    if (!isSeq(groups)) {
      continue;
    }
    for (const group of groups.items) {
      const groupRules = isMap(group) ? group.get('rules') : undefined;
      if (!isSeq(groupRules)) {
        continue;
      }
      for (const rule of groupRules.items) {
        if (!isMap(rule)) {
          continue;
        }
        const name = String(rule.get('title') ?? rule.get('alert') ?? '');
        if (!name || (!rule.has('title') && !rule.has('alert'))) {
          continue;
        }
        const annotations = rule.get('annotations');
        const runbookUrl = annotations instanceof YAMLMap ? annotations.get('runbook_url') : undefined;
        rules.push({
          name,
          runbookUrl: typeof runbookUrl === 'string' ? runbookUrl : undefined,
          file,
          line: lineCounter.linePos(rule.range?.[0] ?? 0).line,
        });
      }
    }
  }
  return rules.length > 0 ? rules : undefined;
}

function eventBusApi(): CheckInput['eventBusApi'] {
  const file = 'event-bus/openapi.yaml';
  if (!fs.existsSync(path.join(ROOT, file))) {
    return undefined;
  }
  const paths: Record<string, Record<string, unknown>> = parse(read(file)).paths ?? {};
  return Object.entries(paths).flatMap(([template, operations]) =>
    Object.keys(operations)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path: template }))
  );
}

/** What the event-bus service registers (its source), plus the platform's declared exporters. */
function exportedMetrics(): CheckInput['metrics'] {
  const sources = filesUnder('event-bus/src', /\.ts$/);
  if (sources.length === 0) {
    return undefined;
  }
  const namespaces = ['eventbus_'];
  const names = new Set<string>();
  for (const file of sources) {
    for (const match of read(file).matchAll(/['"`]([a-z][a-z0-9_]*)['"`]/g)) {
      if (namespaces.some((namespace) => match[1].startsWith(namespace))) {
        names.add(match[1]);
      }
    }
  }
  const platform: { exporters: Record<string, string[]> } = parse(read('scripts/platform-metrics.yaml'));
  Object.values(platform.exporters)
    .flat()
    .forEach((name) => names.add(name));
  const usesDefaults = sources.some((file) => read(file).includes('collectDefaultMetrics'));
  return { names, prefixes: usesDefaults ? ['process_', 'nodejs_'] : [], namespaces };
}

// Prints every finding, then the summary, and answers the exit code. The code is set, not forced with
// process.exit(), so a long report reaches a piped reader whole.
function main(): number {
  // The rules know runbooks by their path under `runbooks/`, wherever the folder is; findings name the real file.
  const runbookDir = folders('RUNBOOKS_DIR', [RUNBOOKS_DIR])[0];
  const runbookFiles = filesIn([runbookDir], /\.md$/).map(({ file, shown }) => ({
    file,
    shown,
    path: `${RUNBOOKS_DIR}/${path.relative(runbookDir, file).split(path.sep).join('/')}`,
  }));
  if (!runbookFiles.some((file) => file.path === INDEX)) {
    console.log(
      `${runbookDir}: error: not a runbook folder: it has no README.md. Fix: set RUNBOOKS_DIR to the folder.`
    );
    return 1;
  }
  const shownPath = new Map(runbookFiles.map((file) => [file.path, file.shown]));

  const input: CheckInput = {
    files: runbookFiles.map((file) => ({ path: file.path, source: fs.readFileSync(file.file, 'utf8') })),
    dashboards: dashboardUids(),
    alertRules: provisionedAlertRules(),
    eventBusApi: eventBusApi(),
    metrics: exportedMetrics(),
    today: new Date(),
  };

  let findings = checkRunbooks(input);
  try {
    findings = [...findings, ...shellcheckRunbooks(input.files)].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line
    );
  } catch (error) {
    console.log(`error: ${(error as Error).message}`);
    return 1;
  }
  for (const finding of findings) {
    const label = finding.severity === 'error' ? 'error' : 'warning';
    console.log(
      `${shownPath.get(finding.file) ?? finding.file}:${finding.line}: ${label} [${finding.rule}] ${finding.message}. Fix: ${finding.fix}.`
    );
  }
  const skipped = [
    !input.dashboards && 'dashboard uids (no dashboards provisioned yet)',
    !input.alertRules && 'alert coverage (no alert rules provisioned yet)',
    !input.eventBusApi && 'event-bus calls (no event-bus/openapi.yaml)',
    !input.metrics && 'metric names (no event-bus source)',
  ].filter(Boolean);
  if (skipped.length > 0) {
    console.log(`not checked: ${skipped.join('; ')}`);
  }
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  console.log(`${input.files.length} runbook files: ${errors} errors, ${findings.length - errors} warnings`);
  return errors === 0 ? 0 : 1;
}

process.exitCode = main();
