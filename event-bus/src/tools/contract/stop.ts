import { check, expect, expectSchema, skip } from './checks';
import type { CallResult, Client } from './client';

export interface StopCheckOptions {
  /** A stop asks every retry and purge running on the DLQ to stop, an operator's too. */
  allowMutations: boolean;
  /** Retries the whole DLQ up to its newest entry, then stops it: only for a DLQ of test data. */
  allowRetryAll: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POST /api/events/dlq/stop. Its refusals always; with --allow-mutations a stop while the suite runs nothing (it would
 * stop an operator's retry too); with --allow-retry-all a retry of the whole DLQ stopped mid-way, which must answer
 * "stopped" with counts that add up.
 */
export async function stopChecks(api: Client, options: StopCheckOptions): Promise<void> {
  const { auth, call, postJson, expectError } = api;
  const stop = () => call('POST', '/api/events/dlq/stop', { headers: auth });

  await check('POST /api/events/dlq/stop without a token is 401', async () => {
    expectError(await call('POST', '/api/events/dlq/stop'), [401], 'no token');
  });
  await check('POST /api/events/dlq/stop with a parameter is 400 (it takes none)', async () => {
    expectError(await postJson('/api/events/dlq/stop', { operationId: 'op_0000000000ZZZZZZZZZZ' }), [400], 'param');
  });

  if (!options.allowMutations) {
    skip('POST /api/events/dlq/stop checks', 'refused without --allow-mutations: a stop would stop any running retry');
    return;
  }
  await check(
    'POST /api/events/dlq/stop with no body and with {} answers StopResult; a repeat is the same',
    async () => {
      const first = await stop();
      expect(first.status === 200, `got ${first.status}: ${first.text.slice(0, 200)}`);
      expectSchema('StopResult', first.json);
      expect(!Number.isNaN(Date.parse(String(first.json.stopRequestedAt))), 'stopRequestedAt is not a time');
      const repeat = await postJson('/api/events/dlq/stop', {});
      expect(repeat.status === 200, `{}: got ${repeat.status}: ${repeat.text.slice(0, 200)}`);
      expectSchema('StopResult', repeat.json);
      // Only an operation started between the two requests makes the second a new request.
      const startedSince = (repeat.json.operations as unknown[]).length > 0;
      expect(
        startedSince || repeat.json.stopRequestedAt === first.json.stopRequestedAt,
        `a repeat moved stopRequestedAt from ${String(first.json.stopRequestedAt)} to ${String(repeat.json.stopRequestedAt)}`
      );
    }
  );

  if (!options.allowRetryAll) {
    skip('POST /api/events/dlq/stop during a retry', 'needs --allow-retry-all (it retries the whole DLQ)');
    return;
  }
  await check(
    'POST /api/events/dlq/stop during a retry: the retry answers "stopped", done + remaining = requested',
    async () => {
      const health = await call('GET', '/api/events/health', { headers: auth });
      const requested = (health.json.dlq as { length: number } | undefined)?.length ?? 0;
      const page = await call('GET', '/api/events/dlq?limit=1', { headers: auth });
      const upToId = page.json.snapshotId as string | null;
      expect(upToId && requested >= 2, `the DLQ holds ${requested} entries; seed it with test data first`);
      let answer: CallResult | undefined;
      const retry = postJson('/api/events/dlq/retry', { upToId }, { 'x-grafana-user': 'contract-suite' }).then(
        (res) => (answer = res)
      );
      // A stop that lands before the retry starts does not touch it, so keep asking until one finds it running.
      let stopped: CallResult | undefined;
      while (!answer && !stopped) {
        const res = await stop();
        expect(res.status === 200, `stop: got ${res.status}: ${res.text.slice(0, 200)}`);
        if ((res.json.operations as unknown[]).length > 0) {
          stopped = res;
        } else {
          await sleep(2);
        }
      }
      const res = await retry;
      expect(
        stopped,
        `the retry finished (${res.text.slice(0, 200)}) before a stop found it running; use more entries or a smaller BATCH_SIZE`
      );
      expect(res.status === 200, `retry: got ${res.status}: ${res.text.slice(0, 200)}`);
      expectSchema('RetryResult', res.json);
      const listed = (stopped.json.operations as Array<{ operationId: string }>).map((o) => o.operationId);
      expect(listed.includes(res.json.operationId as string), 'the stop did not list the running retry');
      const retried = res.json.retried as number;
      const remaining = res.json.remaining as number;
      expect(res.json.outcome === 'stopped', `outcome ${String(res.json.outcome)} after ${retried} of ${requested}`);
      expect(retried < requested, `retried ${retried} of ${requested}: nothing was left to stop`);
      // Holds while nothing else writes to the DLQ, as on a deployment of test data.
      expect(retried + remaining === requested, `retried ${retried} + remaining ${remaining} != ${requested}`);
      const op = await call('GET', `/api/events/dlq/operations/${String(res.json.operationId)}`, { headers: auth });
      expect(op.status === 200, `operation: got ${op.status}`);
      expectSchema('Operation', op.json);
      expect(op.json.outcome === 'stopped', `the operation record says ${String(op.json.outcome)}`);
      expect(op.json.retried === retried, `the record counts ${String(op.json.retried)}, the answer ${retried}`);
    }
  );
}
