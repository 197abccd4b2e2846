import { randomUUID } from 'node:crypto';

import { check, expect, expectSchema, skip } from './checks';
import type { Client } from './client';
import type { State } from './state';

/**
 * Retry (dry run, an ID not in the DLQ), verify, Idempotency-Key and, with --allow-mutations, purge. Only the ID
 * 1-1 (from 1970), which cannot be in a real DLQ, is ever retried or purged.
 */
export async function mutationChecks(api: Client, state: State, allowMutations: boolean): Promise<void> {
  const { auth, call, postJson, expectError } = api;
  await check('POST /api/events/dlq/retry dryRun counts without moving anything', async () => {
    const upToId = state.snapshotId ?? '1-1';
    const res = await postJson('/api/events/dlq/retry', { upToId, dryRun: true });
    expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
    expectSchema('RetryResult', res.json);
    const after = await call('GET', '/api/events/health', { headers: auth });
    const len = (after.json.dlq as { length: number } | undefined)?.length ?? null;
    // Other traffic may add entries; a dry run must never remove any.
    expect(
      state.dlqLength === null || len === null || len >= state.dlqLength,
      `DLQ shrank from ${state.dlqLength} to ${len}`
    );
  });

  await check('POST /api/events/dlq/retry dryRun with a failure filter counts one failure group', async () => {
    const res = await postJson('/api/events/dlq/retry', {
      upToId: state.snapshotId ?? '1-1',
      failureClass: 'contract check: a class no entry has',
      dryRun: true,
    });
    expect(res.status !== 400, 'retry does not accept a failure filter (type, failureClass): no retry by group');
    expect(res.status === 200 || res.status === 409, `got ${res.status}: ${res.text.slice(0, 200)}`);
    if (res.status === 200) {
      expectSchema('RetryResult', res.json);
      expect(res.json.retried === 0, `a class no entry has counted ${String(res.json.retried)}`);
    } else {
      expect(res.json.error === 'index_stale', `409 ${String(res.json.error)}, expected index_stale`);
    }
  });

  await check('POST /api/events/dlq/retry of an ID not in the DLQ skips it (not an error)', async () => {
    const res = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'x-grafana-user': 'contract-suite' });
    expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
    expectSchema('RetryResult', res.json);
    expect(
      res.json.retried === 0 && res.json.skipped === 1,
      `retried ${String(res.json.retried)}, skipped ${String(res.json.skipped)}`
    );
    state.operationId = res.json.operationId as string;
  });

  await check('GET /api/events/dlq/operations/<id> returns the operation (verify)', async () => {
    const operationId = state.operationId;
    expect(operationId, 'no operation from the previous check');
    const res = await call('GET', `/api/events/dlq/operations/${operationId}`, { headers: auth });
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('Operation', res.json);
    expect(res.json.action === 'retry' && res.json.retried === 0, 'wrong action or count');
  });

  await check('GET /api/events/dlq/operations/<unknown> is 404', async () => {
    expectError(
      await call('GET', '/api/events/dlq/operations/op_0000000000ZZZZZZZZZZ', { headers: auth }),
      [404],
      'unknown op'
    );
  });

  await check('Idempotency-Key: a repeated request returns the first response', async () => {
    const key = `contract-${randomUUID()}`;
    const a = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'idempotency-key': key });
    const b = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'idempotency-key': key });
    expect(a.status === 200 && b.status === 200, `got ${a.status}, ${b.status}`);
    expect(a.json.operationId === b.json.operationId, 'the repeat ran a new operation');
  });

  if (allowMutations) {
    await check('POST /api/events/dlq/purge without confirm is 400', async () => {
      expectError(await postJson('/api/events/dlq/purge', { ids: ['1-1'] }), [400], 'no confirm');
    });
    await check('POST /api/events/dlq/purge of an ID not in the DLQ purges nothing', async () => {
      const res = await postJson(
        '/api/events/dlq/purge',
        { confirm: 'purge', ids: ['1-1'] },
        { 'x-grafana-user': 'contract-suite' }
      );
      expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
      expectSchema('PurgeResult', res.json);
      expect(res.json.purged === 0, `purged ${String(res.json.purged)}`);
    });
  } else {
    skip('purge checks', 'refused without --allow-mutations');
  }
}
