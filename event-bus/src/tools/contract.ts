import { parseArgs } from 'node:util';

import { badRequestChecks } from './contract/badRequests';
import { results } from './contract/checks';
import { makeClient } from './contract/client';
import { mutationChecks } from './contract/mutations';
import { publicAndAuthChecks } from './contract/publicAndAuth';
import { readChecks } from './contract/reads';
import type { State } from './contract/state';
import { stopChecks } from './contract/stop';

// Contract suite: checks any deployment of the event-bus DLQ API against openapi.yaml and the behaviour the panel
// relies on. Non-destructive by default: it sends no purge at all and only retries an ID that cannot be in a
// real DLQ (1-1, from 1970) or dry runs. `--allow-mutations` adds purge checks, again only of that ID, and a stop
// request (which would stop an operator's running retry too). `--allow-retry-all` retries the whole DLQ and stops it
// mid-way: only for a deployment whose DLQ is test data, as contract:local seeds it.
// The checks live in contract/, one module per group; they run in this order, each group after the one before.

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'allow-mutations': { type: 'boolean', default: false },
      'allow-retry-all': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10000' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.url || !values.token) {
    process.stdout.write(
      'usage: npm run contract -- --url http://host:8080 --token TOKEN [--allow-mutations [--allow-retry-all]] [--timeout 10000]\n'
    );
    process.exit(values.help ? 0 : 2);
  }
  const base = values.url.replace(/\/+$/, '');
  const token = values.token;
  const timeoutMs = Number(values.timeout);
  const api = makeClient(base, token, timeoutMs);
  const state: State = { dlqLength: null, snapshotId: null, operationId: null, largestGroup: null };

  await publicAndAuthChecks(api);
  await readChecks(api, state);
  await badRequestChecks(api);
  await mutationChecks(api, state, values['allow-mutations']);
  await stopChecks(api, { allowMutations: values['allow-mutations'], allowRetryAll: values['allow-retry-all'] });

  let failed = 0;
  for (const r of results) {
    const mark = r.ok === true ? 'ok  ' : r.ok === 'skipped' ? 'skip' : 'FAIL';
    if (r.ok === false) {
      failed++;
    }
    process.stdout.write(`${mark} ${r.name}${r.detail ? ` -- ${r.detail}` : ''}\n`);
  }
  const passed = results.filter((r) => r.ok === true).length;
  const skipped = results.filter((r) => r.ok === 'skipped').length;
  process.stdout.write(`contract: ${passed} passed, ${failed} failed, ${skipped} skipped against ${base}\n`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`contract: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
