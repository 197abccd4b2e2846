// Every expression a provisioned dashboard or Grafana alert rule queries must find data in the stack's own
// Prometheus once the demo workload has run. Starts the local stack (scripts/stack.mjs), waits until the demo has
// dead-lettered messages, does what an operator does once (two small retries through the API, a few requests with
// a wrong token, so the retry histogram and the 401 counters exist), waits two scrapes, then runs each expression.
// Expressions of the platform (rules labelled source=platform, the dashboard tagged "platform") need exporters this
// repository does not run: they are run too, but only reported, never failed, and the reason is printed.
// The Prometheus rule file holds the same queries as the Grafana rules plus the threshold (generated from one
// definition), so it is not queried twice.
//
//   node scripts/check-stack-metrics.mjs [--wait-firing] [--json FILE]
// --wait-firing also waits (at most 10 minutes) for EventBusDlqBacklogGrowing to fire in Prometheus and reports
// how long after the stack started it did.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

import { startStack, waitFor } from './stack.mjs';

const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function filesUnder(dir, pattern) {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) {
    return [];
  }
  return fs
    .readdirSync(absolute, { recursive: true })
    .filter((file) => pattern.test(file))
    .map((file) => path.join(dir, file))
    .sort();
}

/** Dashboard variables and Grafana's interval macros, as a query from the dashboard would send them. */
export function concrete(expr) {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replace(/\$\{?stream\}?/g, '.*')
    .replace(/^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,.*\)$/, '$1');
}

/** `{ where, expr, source }` for every dashboard target, dashboard variable and Grafana rule query. */
export function collectExpressions() {
  const found = [];
  for (const file of filesUnder('src/dashboards', /\.json$/)) {
    const dashboard = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
    const source = (dashboard.tags ?? []).includes('platform') ? 'platform' : 'stack';
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
    const doc = parse(fs.readFileSync(path.join(root, file), 'utf8'));
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const source = rule.labels?.source === 'platform' ? 'platform' : 'stack';
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

async function query(prometheusUrl, expr) {
  const response = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
    signal: AbortSignal.timeout(5000),
  });
  const body = await response.json();
  if (body.status !== 'success') {
    throw new Error(`${body.errorType}: ${body.error}`);
  }
  return body.data.result;
}

async function eventBus(stack, method, route, { body, token = stack.token } = {}) {
  const response = await fetch(`${stack.eventBusUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

/** One small retry of the oldest DLQ entries, the way the panel does it (up to the snapshot it read). */
async function operatorRetry(stack) {
  const page = await eventBus(stack, 'GET', '/api/events/dlq?limit=1');
  if (page.status !== 200 || !page.json?.snapshotId) {
    throw new Error(`listing the DLQ answered ${page.status}`);
  }
  const retry = await eventBus(stack, 'POST', '/api/events/dlq/retry', {
    body: { upToId: page.json.snapshotId, max: 5 },
  });
  if (retry.status !== 200) {
    throw new Error(`retry answered ${retry.status}: ${JSON.stringify(retry.json)}`);
  }
  return retry.json.retried;
}

async function main() {
  const { values } = parseArgs({
    options: { 'wait-firing': { type: 'boolean', default: false }, json: { type: 'string' } },
  });
  const expressions = collectExpressions();
  if (expressions.length === 0) {
    throw new Error('no provisioned dashboards or alert rules found under provisioning/');
  }
  const stack = await startStack({ log: (line) => console.log(line) });
  const seconds = () => Math.round((Date.now() - stack.startedAt) / 1000);
  const report = { figures: {}, expressions: [] };
  try {
    console.log(`stack up: event bus ${stack.eventBusUrl}, prometheus ${stack.prometheusUrl}`);
    const backlog = expressions.find((e) => e.where === 'rule EventBusDlqBacklogGrowing A');
    await waitFor(
      'data for the DLQ backlog alert query',
      async () => (await query(stack.prometheusUrl, backlog.expr)).length > 0,
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
      let result;
      let error;
      try {
        result = await query(stack.prometheusUrl, expr);
      } catch (err) {
        error = err.message;
      }
      const series = result?.length ?? 0;
      const ok = !error && series > 0;
      const skipped = item.source === 'platform';
      if (!ok && !skipped) {
        failed++;
      }
      const verdict = ok ? 'data' : skipped ? 'skip' : 'FAIL';
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

    const counts = (verdict) => report.expressions.filter((e) => e.verdict === verdict).length;
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

if (process.argv[1] === import.meta.filename) {
  main().then(
    (failed) => process.exit(failed === 0 ? 0 : 1),
    (err) => {
      console.error(`check-stack-metrics: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  );
}
