// Every expression a provisioned dashboard or Grafana alert rule queries must find data in the stack's own
// Prometheus once the demo workload has run. Starts the local stack (scripts/stack.ts), waits until the demo has
// dead-lettered messages, does what an operator does once (two small retries through the API, a few requests with
// a wrong token, so the retry histogram and the 401 counters exist), waits two scrapes, then runs each expression.
// Expressions of the platform (rules labelled source=platform, the dashboard tagged "platform") need exporters this
// repository does not run: they are run too, but only reported, never failed, and the reason is printed.
// The Prometheus rule file holds the same queries as the Grafana rules plus the threshold (generated from one
// definition), so it is not queried twice.
//
//   npm run test:stack-metrics -- [--wait-firing] [--json FILE]   (or npx ts-node scripts/check-stack-metrics.ts)
// --wait-firing also waits (at most 10 minutes) for EventBusDlqBacklogGrowing to fire in Prometheus and reports
// how long after the stack started it did.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

import { type Stack, startStack } from './stack';
import { filesUnder, readRepoFile } from './repoFiles';
import { waitFor } from './stack/waiting';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where an expression comes from: the platform's (needs exporters the stack does not run) or the stack's. */
export type ExpressionSource = 'platform' | 'stack';

export interface Expression {
  where: string;
  expr: string;
  source: ExpressionSource;
}

type Verdict = 'data' | 'skip' | 'FAIL';

interface ExpressionResult extends Expression {
  concrete: string;
  series: number;
  verdict: Verdict;
  why: string;
}

interface Report {
  figures: Record<string, number>;
  expressions: ExpressionResult[];
}

interface DashboardVariable {
  type?: string;
  name?: string;
  query?: string | { query?: string };
}

interface Dashboard {
  uid?: string;
  tags?: string[];
  templating?: { list?: DashboardVariable[] };
  panels?: Array<{ title?: string; targets?: Array<{ refId?: string; expr?: string }> }>;
}

interface AlertingFile {
  groups?: Array<{
    rules?: Array<{
      title?: string;
      labels?: Record<string, string>;
      data?: Array<{ refId?: string; model?: { expr?: string } }>;
    }>;
  }>;
}

interface PrometheusQueryResponse {
  status: string;
  errorType?: string;
  error?: string;
  data: { result: unknown[] };
}

/** Dashboard variables and Grafana's interval macros, as a query from the dashboard would send them. */
export function concrete(expr: string): string {
  return (
    expr
      // The stack has minutes of history, not hours: a query that compares with an hour ago (the new failure class
      // alert: X unless X offset 1h) is asked of the present without the comparison, which still checks that every
      // series it reads is exported.
      .replace(/\s+unless\s+[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?\s+offset\s+\d+[smhdwy]\b/g, '')
      .replace(/\s+offset\s+\d+[smhdwy]\b/g, '')
      .replaceAll('$__rate_interval', '1m')
      .replaceAll('$__interval', '15s')
      .replace(/\$\{?stream\}?/g, '.*')
      .replace(/^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,.*\)$/, '$1')
  );
}

/** `{ where, expr, source }` for every dashboard target, dashboard variable and Grafana rule query. */
export function collectExpressions(): Expression[] {
  const found: Expression[] = [];
  for (const file of filesUnder('src/dashboards', /\.json$/)) {
    const dashboard: Dashboard = JSON.parse(readRepoFile(file));
    const source: ExpressionSource = (dashboard.tags ?? []).includes('platform') ? 'platform' : 'stack';
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      if (variable.type === 'query' && query) {
        found.push({ where: `${dashboard.uid} variable $${variable.name}`, expr: query, source });
      }
    }
    for (const panel of dashboard.panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr) {
          found.push({ where: `${dashboard.uid} "${panel.title}" ${target.refId}`, expr: target.expr, source });
        }
      }
    }
  }
  for (const file of filesUnder('provisioning/alerting', /\.ya?ml$/)) {
    const doc: AlertingFile | null = parse(readRepoFile(file));
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const source: ExpressionSource = rule.labels?.source === 'platform' ? 'platform' : 'stack';
        for (const query of rule.data ?? []) {
          if (query.model?.expr) {
            found.push({ where: `rule ${rule.title} ${query.refId}`, expr: query.model.expr, source });
          }
        }
      }
    }
  }
  return found;
}

async function query(prometheusUrl: string, expr: string): Promise<unknown[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as PrometheusQueryResponse;
  if (body.status !== 'success') {
    throw new Error(`${body.errorType}: ${body.error}`);
  }
  return body.data.result;
}

interface EventBusRequest {
  body?: unknown;
  token?: string;
}

interface EventBusResponse<T> {
  status: number;
  /** The parsed body; undefined when it is not JSON. */
  json: T | undefined;
}

async function eventBus<T>(
  stack: Stack,
  method: string,
  route: string,
  { body, token = stack.token }: EventBusRequest = {}
): Promise<EventBusResponse<T>> {
  const response = await fetch(`${stack.eventBusUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, json: (await response.json().catch(() => undefined)) as T | undefined };
}

/** One small retry of the oldest DLQ entries, the way the panel does it (up to the snapshot it read). */
async function operatorRetry(stack: Stack): Promise<number> {
  const page = await eventBus<{ snapshotId?: string }>(stack, 'GET', '/api/events/dlq?limit=1');
  if (page.status !== 200 || !page.json?.snapshotId) {
    throw new Error(`listing the DLQ answered ${page.status}`);
  }
  const retry = await eventBus<{ retried: number }>(stack, 'POST', '/api/events/dlq/retry', {
    body: { upToId: page.json.snapshotId, max: 5 },
  });
  if (retry.status !== 200) {
    throw new Error(`retry answered ${retry.status}: ${JSON.stringify(retry.json)}`);
  }
  return (retry.json as { retried: number }).retried;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'wait-firing': { type: 'boolean', default: false }, json: { type: 'string' } },
  });
  const expressions = collectExpressions();
  if (expressions.length === 0) {
    throw new Error('no provisioned dashboards or alert rules found under provisioning/');
  }
  const stack = await startStack({ log: (line) => console.log(line) });
  const seconds = () => Math.round((Date.now() - stack.startedAt) / 1000);
  const report: Report = { figures: {}, expressions: [] };
  try {
    console.log(`stack up: event bus ${stack.eventBusUrl}, prometheus ${stack.prometheusUrl}`);
    const backlog = expressions.find((e) => e.where === 'rule EventBusDlqBacklogGrowing A');
    await waitFor(
      'data for the DLQ backlog alert query',
      async () => (await query(stack.prometheusUrl, (backlog as Expression).expr)).length > 0,
      300_000,
      2000
    );
    report.figures.dlqBacklogExpressionTrueAfterSeconds = seconds();
    console.log(`EventBusDlqBacklogGrowing's expression is true ${seconds()} s after the stack started`);

    const retried = [await operatorRetry(stack)];
    for (let i = 0; i < 3; i++) {
      await eventBus(stack, 'GET', '/api/events/health', { token: 'not-the-token-0000' });
    }
    await sleep(20_000);
    retried.push(await operatorRetry(stack));
    await eventBus(stack, 'GET', '/api/events/health', { token: 'not-the-token-0000' });
    console.log(`operator actions: retried ${retried.join(' + ')} entries, 4 requests with a wrong token`);
    await sleep(35_000);

    let failed = 0;
    for (const item of expressions) {
      const expr = concrete(item.expr);
      let result: unknown[] | undefined;
      let error: string | undefined;
      try {
        result = await query(stack.prometheusUrl, expr);
      } catch (err) {
        error = (err as Error).message;
      }
      const series = result?.length ?? 0;
      const ok = !error && series > 0;
      const skipped = item.source === 'platform';
      if (!ok && !skipped) {
        failed++;
      }
      const verdict: Verdict = ok ? 'data' : skipped ? 'skip' : 'FAIL';
      const why = error
        ? `query error: ${error}`
        : ok
          ? `${series} series`
          : skipped
            ? 'no data: platform-sourced (source=platform rule or the platform dashboard), needs exporters this stack does not run'
            : 'no data';
      console.log(`${verdict.padEnd(4)} ${item.where}: ${why}`);
      report.expressions.push({ ...item, concrete: expr, series, verdict, why });
    }

    if (values['wait-firing']) {
      await waitFor(
        'EventBusDlqBacklogGrowing firing in Prometheus',
        async () =>
          (await query(stack.prometheusUrl, 'ALERTS{alertname="EventBusDlqBacklogGrowing",alertstate="firing"}'))
            .length > 0,
        600_000,
        5000
      );
      report.figures.dlqBacklogAlertFiringAfterSeconds = seconds();
      console.log(`EventBusDlqBacklogGrowing fires in Prometheus ${seconds()} s after the stack started`);
    }

    const counts = (verdict: Verdict) => report.expressions.filter((e) => e.verdict === verdict).length;
    console.log(
      `${expressions.length} expressions: ${counts('data')} found data, ${counts('skip')} platform-only skipped, ${failed} failed`
    );
    if (values.json) {
      fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
    }
    return failed;
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    (failed) => process.exit(failed === 0 ? 0 : 1),
    (err) => {
      console.error(`check-stack-metrics: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  );
}
