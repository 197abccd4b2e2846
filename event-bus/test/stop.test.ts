import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import { KEYS, type RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import { STOP_TTL_SECONDS } from '../src/stop';
import grafanaContext from './fixtures/x-grafana-context.json';
import {
  assertExactlyOnce,
  assertSchema,
  AUTH,
  connectedClient,
  DLQ,
  makeApp,
  makeLoggedApp,
  ORDERS,
  PAYMENTS,
  postMutation,
  seed,
  startRedis,
  TOKEN,
  waitFor,
} from './helpers';

// POST /api/events/dlq/stop, the brake on a redrive: a running retry or purge, in this replica or another, stops
// after its current batch, answers "stopped" with exact counts, and no entry is lost or moved twice. Two apps on one
// Redis stand for two replicas; `a` logs to `lines`, so its audit lines can be read.

const BATCH = 100;
let redis: RedisServer;
let a: FastifyInstance;
let b: FastifyInstance;
let client: RedisClient;
let lines: string[];

before(async () => {
  redis = await startRedis();
  client = await connectedClient(redis.url);
  ({ app: a, lines } = await makeLoggedApp(redis.url, 'info', { batchSize: BATCH }));
  b = await makeApp(redis.url, { batchSize: BATCH });
});

after(async () => {
  await a.close();
  await b.close();
  await client.close();
  await redis.destroy();
});

beforeEach(async () => {
  await client.sendCommand(['FLUSHALL']);
  lines.length = 0;
});

function postStop(app: FastifyInstance, headers: Record<string, string> = {}, payload?: string) {
  return app.inject({ method: 'POST', url: '/api/events/dlq/stop', headers: { ...AUTH, ...headers }, payload });
}

/** Holds an app's operations after their `n`th batch until `release`; `held` resolves once one waits there. */
function holdAfterBatch(app: FastifyInstance, n: number) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const held = new Promise<void>((r) => (reached = r));
  let batches = 0;
  app.runner.onBatch = async () => {
    if (++batches === n) {
      reached();
      await gate;
    }
  };
  return {
    held,
    release: () => {
      app.runner.onBatch = undefined;
      open();
    },
  };
}

const xlen = async (key: string) => Number(await client.sendCommand(['XLEN', key]));

/** How many stopped retries app `a`'s duration histogram has counted. */
async function stoppedRetries(): Promise<number> {
  const metrics = await a.inject({ url: '/metrics' });
  const count = /^eventbus_dlq_operation_duration_seconds_count\{operation="retry",outcome="stopped"\} (\d+)$/m.exec(
    metrics.body
  );
  return Number(count?.[1] ?? 0);
}

describe('POST /api/events/dlq/stop while nothing runs', () => {
  test('200 with no operations; a repeat gets the same stopRequestedAt; the key expires', async () => {
    const first = await postStop(a);
    assert.equal(first.statusCode, 200);
    assertSchema('StopResult', first.json());
    assert.deepEqual(first.json().operations, []);
    const at = Date.parse(first.json().stopRequestedAt);
    assert.ok(Math.abs(at - Date.now()) < 60_000, `stopRequestedAt ${first.json().stopRequestedAt}`);
    const second = await postStop(b);
    assert.equal(second.statusCode, 200);
    assert.deepEqual(second.json(), first.json());
    const ttl = Number(await client.sendCommand(['TTL', KEYS.stop]));
    assert.ok(ttl > 0 && ttl <= STOP_TTL_SECONDS, `TTL ${ttl}`);
  });

  test('takes no body, {}, or an empty body labelled JSON; refuses parameters, other types and no token', async () => {
    const json = { 'content-type': 'application/json' };
    assert.equal((await postStop(a)).statusCode, 200);
    assert.equal((await postStop(a, json, '{}')).statusCode, 200);
    assert.equal((await postStop(a, json, '')).statusCode, 200);
    const withField = await postStop(a, json, '{"operationId":"op_0000000000AAAAAAAAAA"}');
    assert.equal(withField.statusCode, 400);
    assertSchema('Error', withField.json());
    assert.equal(withField.json().field, 'body');
    assert.equal((await postStop(a, json, '{"x":')).statusCode, 400);
    assert.equal((await postStop(a, json, '{"__proto__":{"x":1}}')).statusCode, 400);
    assert.equal((await postStop(a, { 'content-type': 'text/plain' }, 'stop')).statusCode, 415);
    const anonymous = await a.inject({ method: 'POST', url: '/api/events/dlq/stop' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await a.inject({ method: 'GET', url: '/api/events/dlq/stop', headers: AUTH })).statusCode, 405);
  });

  test('a retry started after the stop runs to the end', async () => {
    const seeded = await seed(client, 1000, 'after');
    assert.equal((await postStop(a)).statusCode, 200);
    const res = await postMutation(a, 'retry', { upToId: seeded[999].dlqId });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().outcome, 'ok');
    assert.equal(res.json().retried, 1000);
    assert.equal(res.json().remaining, 0);
    await assertExactlyOnce(
      client,
      seeded.map((s) => s.msg)
    );
  });

  test('a stop stamped later than Redis time (another clock, the same microsecond) does not stop a later start', async () => {
    const seeded = await seed(client, 500, 'skew');
    const future = (Date.now() + 5000) * 1000;
    await client.sendCommand(['SET', KEYS.stop, String(future), 'EX', '60']);
    const res = await postMutation(a, 'retry', { upToId: seeded[499].dlqId });
    assert.equal(res.json().outcome, 'ok');
    assert.equal(res.json().retried, 500);
  });

  test('forgets registrations of operations that finished or died without unregistering', async () => {
    const now = Date.now();
    const finished = 'op_0000000000FINISHED00';
    const died = 'op_0000000000DIED000000';
    await client.sendCommand(['HSET', KEYS.op(finished), 'action', 'retry', 'outcome', 'ok', 'startedAt', String(now)]);
    await client.sendCommand(['HSET', KEYS.op(died), 'action', 'purge', 'outcome', 'running', 'startedAt', '1000']);
    await client.sendCommand(['ZADD', KEYS.running, String(now * 1000 - 5), finished, String(now * 1000 - 4), died]);
    const res = await postStop(a);
    assert.deepEqual(res.json().operations, []);
    assert.equal(Number(await client.sendCommand(['ZCARD', KEYS.running])), 0);
  });
});

describe('stopping a running operation', () => {
  test('a retry up to an ID stops after the batch in flight: 200 "stopped", exact counts, the record says stopped', async () => {
    const seeded = await seed(client, 2000, 'range');
    const hold = holdAfterBatch(a, 3);
    try {
      const running = postMutation(a, 'retry', { upToId: seeded[1999].dlqId });
      await hold.held;
      const stop = await postStop(a, { 'x-grafana-context': JSON.stringify(grafanaContext.editor) });
      assert.equal(stop.statusCode, 200);
      assertSchema('StopResult', stop.json());
      assert.equal(stop.json().operations.length, 1);
      const [listed] = stop.json().operations;
      assert.equal(listed.action, 'retry');
      assert.equal(listed.retried, 3 * BATCH);
      hold.release();
      const res = await running;
      assert.equal(res.statusCode, 200);
      assertSchema('RetryResult', res.json());
      assert.equal(res.json().outcome, 'stopped');
      assert.equal(res.json().operationId, listed.operationId);
      assert.equal(res.json().retried, 3 * BATCH);
      assert.equal(res.json().skipped, 0);
      assert.equal(res.json().retried + res.json().remaining, 2000);
      assert.equal(await xlen(ORDERS), 3 * BATCH);
      assert.equal(await xlen(DLQ), 2000 - 3 * BATCH);
      await assertExactlyOnce(
        client,
        seeded.map((s) => s.msg)
      );
      const record = await a.inject({ url: `/api/events/dlq/operations/${listed.operationId}`, headers: AUTH });
      assertSchema('Operation', record.json());
      assert.equal(record.json().outcome, 'stopped');
      assert.equal(record.json().retried, 3 * BATCH);
      assert.notEqual(record.json().finishedAt, null);
      assert.equal(Number(await client.sendCommand(['ZCARD', KEYS.running])), 0);
    } finally {
      hold.release();
    }
  });

  test('the audit lines and the duration metric carry the outcome; the stop is audited with its actor', async () => {
    const seeded = await seed(client, 1000, 'audit');
    const stoppedBefore = await stoppedRetries();
    const hold = holdAfterBatch(a, 2);
    try {
      const running = a.inject({
        method: 'POST',
        url: '/api/events/dlq/retry',
        headers: { ...AUTH, 'content-type': 'application/json', 'x-grafana-user': 'rita' },
        payload: JSON.stringify({ upToId: seeded[999].dlqId }),
      });
      await hold.held;
      await postStop(a, { 'x-grafana-context': JSON.stringify(grafanaContext.editor) });
      hold.release();
      const res = await running;
      const audits = lines.map((l) => JSON.parse(l)).filter((l) => l.audit);
      const stop = audits.find((l) => l.audit.action === 'stop');
      assert.equal(stop.msg, 'audit dlq.stop');
      assert.equal(stop.audit.actor, 'eddie');
      assert.equal(stop.audit.newRequest, true);
      assert.deepEqual(stop.audit.operations, [
        { operationId: res.json().operationId, action: 'retry', actor: 'rita' },
      ]);
      const retry = audits.find((l) => l.audit.action === 'retry');
      assert.equal(retry.audit.outcome, 'stopped');
      assert.equal(retry.audit.counts.retried, 2 * BATCH);
      assert.equal(retry.audit.counts.remaining, 1000 - 2 * BATCH);
      assert.ok(!lines.join('\n').includes(TOKEN), 'token in logs');
      assert.equal(await stoppedRetries(), stoppedBefore + 1);
    } finally {
      hold.release();
    }
  });

  test('a retry of IDs, a purge and a retry by failure group stop the same way', async () => {
    const cases: Array<{ name: string; action: 'retry' | 'purge'; body: (ids: string[]) => unknown }> = [
      { name: 'retry by IDs', action: 'retry', body: (ids) => ({ ids }) },
      {
        name: 'purge up to an ID',
        action: 'purge',
        body: (ids) => ({ confirm: 'purge', upToId: ids[ids.length - 1] }),
      },
      {
        name: 'retry by failure group',
        action: 'retry',
        body: (ids) => ({ upToId: ids[ids.length - 1], failureClass: 'ValidationError: amount must be positive' }),
      },
    ];
    for (const c of cases) {
      await client.sendCommand(['FLUSHALL']);
      const seeded = await seed(client, 1000, c.name.replace(/ /g, '-'));
      const ids = seeded.map((s) => s.dlqId);
      const hold = holdAfterBatch(a, 4);
      try {
        const running = postMutation(a, c.action, c.body(ids));
        await hold.held;
        assert.equal((await postStop(b)).json().operations.length, 1, c.name);
        hold.release();
        const res = await running;
        assert.equal(res.statusCode, 200, `${c.name}: ${res.body}`);
        assertSchema(c.action === 'retry' ? 'RetryResult' : 'PurgeResult', res.json());
        assert.equal(res.json().outcome, 'stopped', c.name);
        const done = c.action === 'retry' ? res.json().retried : res.json().purged;
        assert.equal(done, 4 * BATCH, c.name);
        assert.equal(done + res.json().remaining, 1000, c.name);
        assert.equal(await xlen(DLQ), 1000 - 4 * BATCH, c.name);
        const purged = c.action === 'purge' ? new Set(seeded.slice(0, done).map((s) => s.msg)) : new Set<string>();
        await assertExactlyOnce(
          client,
          seeded.map((s) => s.msg),
          purged
        );
      } finally {
        hold.release();
      }
    }
  });

  test('stopped while batches run freely: whole batches only, done + remaining = requested, nothing lost or doubled', async () => {
    const seeded = await seed(client, 20000, 'free');
    const running = postMutation(a, 'retry', { upToId: seeded[19999].dlqId });
    await waitFor(async () => (await xlen(ORDERS)) >= 10 * BATCH, 20000, 'ten batches');
    const stop = await postStop(b);
    assert.ok(stop.json().operations.length <= 1);
    const res = await running;
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().outcome, 'stopped', `answered ${res.body}`);
    const retried = res.json().retried;
    assert.equal(retried % BATCH, 0, `retried ${retried} is not whole batches`);
    assert.ok(retried >= 10 * BATCH && retried < 20000, `retried ${retried}`);
    assert.equal(retried + res.json().remaining, 20000);
    assert.equal(await xlen(ORDERS), retried);
    await assertExactlyOnce(
      client,
      seeded.map((s) => s.msg)
    );
  });

  test('repeating a stopped retry with its Idempotency-Key moves exactly the rest', async () => {
    const seeded = await seed(client, 1000, 'again');
    const key = 'stop-then-repeat-1';
    const send = () =>
      a.inject({
        method: 'POST',
        url: '/api/events/dlq/retry',
        headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': key },
        payload: JSON.stringify({ upToId: seeded[999].dlqId }),
      });
    const hold = holdAfterBatch(a, 1);
    try {
      const running = send();
      await hold.held;
      await postStop(a);
      hold.release();
      const first = await running;
      assert.equal(first.json().outcome, 'stopped');
      assert.equal(first.json().retried, BATCH);
      const second = await send();
      assert.equal(second.headers['idempotent-replayed'], undefined);
      assert.equal(second.json().outcome, 'ok');
      assert.equal(second.json().retried, 1000 - BATCH);
      assert.equal(second.json().remaining, 0);
      assert.equal(await xlen(ORDERS), 1000);
      await assertExactlyOnce(
        client,
        seeded.map((s) => s.msg)
      );
    } finally {
      hold.release();
    }
  });

  test('a dry run changes nothing and is not stopped', async () => {
    const seeded = await seed(client, 1000, 'dry');
    const hold = holdAfterBatch(a, 2);
    try {
      const running = postMutation(a, 'retry', { upToId: seeded[999].dlqId, dryRun: true });
      await hold.held;
      assert.deepEqual((await postStop(a)).json().operations, []);
      hold.release();
      const res = await running;
      assert.equal(res.json().outcome, 'ok');
      assert.equal(res.json().retried, 1000);
      assert.equal(await xlen(DLQ), 1000);
    } finally {
      hold.release();
    }
  });
});

describe('two replicas on one Redis', () => {
  test('a stop sent to either replica stops the operations running in both', async () => {
    const payments = await seed(client, 1000, 'two-b', PAYMENTS);
    const orders = await seed(client, 1000, 'two-a', ORDERS);
    const holdA = holdAfterBatch(a, 2);
    const holdB = holdAfterBatch(b, 3);
    try {
      const retryOnA = postMutation(a, 'retry', { ids: orders.map((s) => s.dlqId) });
      const purgeOnB = postMutation(b, 'purge', { confirm: 'purge', upToId: payments[999].dlqId, stream: PAYMENTS });
      await Promise.all([holdA.held, holdB.held]);
      const stop = await postStop(b);
      assert.deepEqual(
        stop
          .json()
          .operations.map((o: { action: string }) => o.action)
          .sort(),
        ['purge', 'retry']
      );
      holdA.release();
      holdB.release();
      const [retried, purged] = await Promise.all([retryOnA, purgeOnB]);
      assert.equal(retried.json().outcome, 'stopped');
      assert.equal(purged.json().outcome, 'stopped');
      assert.equal(retried.json().retried, 2 * BATCH);
      assert.equal(purged.json().purged, 3 * BATCH);
      assert.equal(await xlen(DLQ), 2000 - 5 * BATCH);
      await assertExactlyOnce(
        client,
        [...orders, ...payments].map((s) => s.msg),
        new Set(payments.slice(0, 3 * BATCH).map((s) => s.msg))
      );
      // Both were asked by one request: a repeat on the other replica finds nothing running and the same request.
      const repeat = await postStop(a);
      assert.deepEqual(repeat.json(), { stopRequestedAt: stop.json().stopRequestedAt, operations: [] });
    } finally {
      holdA.release();
      holdB.release();
    }
  });

  test('an operation one replica starts after another replica took a stop runs to the end', async () => {
    const seeded = await seed(client, 600, 'later');
    await postStop(b);
    const res = await postMutation(a, 'retry', { upToId: seeded[599].dlqId });
    assert.equal(res.json().outcome, 'ok');
    assert.equal(res.json().retried, 600);
  });
});
