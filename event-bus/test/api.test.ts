import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import { actorOf } from '../src/http/actor';
import type { RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
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
  seed,
  startRedis,
} from './helpers';
import grafanaContext from './fixtures/x-grafana-context.json';

let redis: RedisServer;
let app: FastifyInstance;
let client: RedisClient;

before(async () => {
  redis = await startRedis();
  client = await connectedClient(redis.url);
  app = await makeApp(redis.url);
});

after(async () => {
  await app.close();
  await client.close();
  await redis.destroy();
});

beforeEach(async () => {
  await client.sendCommand(['FLUSHALL']);
});

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...AUTH, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
}

describe('GET /livez and /metrics', () => {
  test('livez answers 200 without a token', async () => {
    const res = await app.inject({ url: '/livez' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('metrics exposes every documented name without payload data', async () => {
    await seed(client, 3, 'm', ORDERS);
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'order-workers', '0', 'MKSTREAM']);
    const res = await app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    for (const name of [
      'eventbus_dlq_length{stream="{events}:orders"} 3',
      'eventbus_dlq_oldest_entry_age_seconds',
      'eventbus_stream_length{stream="{events}:orders"}',
      'eventbus_stream_group_lag{stream="{events}:orders",group="order-workers"}',
      'eventbus_stream_group_messages_pending{stream="{events}:orders",group="order-workers"} 0',
      'eventbus_dlq_dead_lettered_total{stream="{events}:orders"} 3',
      'eventbus_dlq_retried_messages_total',
      'eventbus_dlq_purged_messages_total',
      'eventbus_dlq_operation_duration_seconds',
      'eventbus_redis_up 1',
      'eventbus_dlq_failure_class_entries{stream="{events}:orders",failure_class="ValidationError: amount must be positive"} 3',
      'eventbus_dlq_failure_index_stale 0',
      'process_cpu_user_seconds_total',
    ]) {
      assert.ok(res.body.includes(name), `missing ${name}`);
    }
    assert.ok(!res.body.includes('m-0'), 'payload data leaked into metrics');
  });

  test('metrics count requests by route template and status, 401s included, never by ID', async () => {
    await app.inject({ url: '/api/events/health', headers: AUTH });
    await app.inject({ url: '/api/events/health', headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } });
    await app.inject({ url: '/api/events/dlq/operations/op_0000000000AAAAAAAAAA', headers: AUTH });
    const res = await app.inject({ url: '/metrics' });
    for (const line of [
      /^http_requests_total\{method="GET",route="\/api\/events\/health",status="200"\} [1-9]/m,
      /^http_requests_total\{method="GET",route="\/api\/events\/health",status="401"\} [1-9]/m,
      /^http_requests_total\{method="GET",route="\/api\/events\/dlq\/operations\/:operationId",status="404"\} [1-9]/m,
      /^http_request_duration_seconds_bucket\{le="[0-9.]+",method="GET",route="\/api\/events\/health"\}/m,
    ]) {
      assert.match(res.body, line);
    }
    assert.ok(!res.body.includes('op_0000000000AAAAAAAAAA'), 'an ID leaked into a label');
  });
});

describe('GET /api/events/health', () => {
  test('ok with an empty DLQ, degraded past the threshold, with counts by origin', async () => {
    let res = await app.inject({ url: '/api/events/health', headers: AUTH });
    assert.equal(res.statusCode, 200);
    let body = res.json();
    assertSchema('Health', body);
    assert.equal(body.status, 'ok');
    assert.equal(body.redis.up, true);
    assert.equal(body.redis.version, '7.0.15');
    assert.equal(body.dlq.length, 0);
    assert.equal(body.dlq.oldestId, null);

    await seed(client, 4, 'h', ORDERS);
    await seed(client, 2, 'p', PAYMENTS);
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'order-workers', '$', 'MKSTREAM']);
    res = await app.inject({ url: '/api/events/health', headers: AUTH });
    body = res.json();
    assertSchema('Health', body);
    assert.equal(body.status, 'degraded');
    assert.equal(body.dlq.length, 6);
    assert.deepEqual(body.dlq.byStream, { [ORDERS]: 4, [PAYMENTS]: 2 });
    assert.match(body.dlq.oldestId, /^\d+-\d+$/);
    const orders = body.streams.find((s: { stream: string }) => s.stream === ORDERS);
    assert.equal(orders.groups[0].group, 'order-workers');
    assert.equal(orders.groups[0].lag, 0);
    const payments = body.streams.find((s: { stream: string }) => s.stream === PAYMENTS);
    assert.equal(payments.exists, false);
  });

  test('reports lag null as unknown, never 0', async () => {
    // Deleting an entry after the group's last-delivered-id makes Redis 7 unable to compute the lag.
    await client.sendCommand(['XADD', ORDERS, '1-1', 'type', 't', 'payload', '{}']);
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'g', '0']);
    await client.sendCommand(['XADD', ORDERS, '2-1', 'type', 't', 'payload', '{}']);
    await client.sendCommand(['XADD', ORDERS, '3-1', 'type', 't', 'payload', '{}']);
    await client.sendCommand(['XDEL', ORDERS, '2-1']);
    const body = (await app.inject({ url: '/api/events/health', headers: AUTH })).json();
    const g = body.streams.find((s: { stream: string }) => s.stream === ORDERS).groups[0];
    assert.equal(g.lag, null);
  });

  test('flags pending entries whose payload was deleted', async () => {
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'g', '$', 'MKSTREAM']);
    await client.sendCommand(['XADD', ORDERS, '*', 'type', 't', 'payload', '{}']);
    const got = (await client.sendCommand([
      'XREADGROUP',
      'GROUP',
      'g',
      'c1',
      'COUNT',
      '1',
      'STREAMS',
      ORDERS,
      '>',
    ])) as unknown[][];
    const id = ((got[0][1] as unknown[])[0] as string[])[0];
    await client.sendCommand(['XDEL', ORDERS, id]);
    const body = (await app.inject({ url: '/api/events/health', headers: AUTH })).json();
    assert.equal(body.status, 'degraded');
    assert.equal(body.streams[0].groups[0].pendingPayloadDeleted, true);
  });
});

describe('GET /api/events/dlq', () => {
  test('pages oldest first with a cursor, snapshotId and total', async () => {
    const seeded = await seed(client, 120, 'l', ORDERS);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: {
        statusCode: number;
        json: () => {
          total: number;
          snapshotId: string | null;
          entries: Array<{ id: string }>;
          nextCursor: string | null;
        };
      } = await app.inject({
        url: `/api/events/dlq?limit=50${after ? `&after=${after}` : ''}`,
        headers: AUTH,
      });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assertSchema('DlqPage', body);
      assert.equal(body.total, 120);
      assert.equal(body.snapshotId, seeded[119].dlqId);
      seen.push(...body.entries.map((e: { id: string }) => e.id));
      after = body.nextCursor;
      pages++;
    } while (after && pages < 10);
    assert.deepEqual(
      seen,
      seeded.map((s) => s.dlqId)
    );
    assert.equal(pages, 3);
    const first = (await app.inject({ url: '/api/events/dlq?limit=1', headers: AUTH })).json().entries[0];
    assert.equal(first.stream, ORDERS);
    assert.equal(first.type, 'order.created');
    assert.equal(first.attempts, 5);
    assert.equal(first.payload, '{"msg":"l-0"}');
    assert.equal(first.payloadTruncated, false);
    assert.equal(first.retryOf, null);
    assert.match(first.deadLetteredAt, /^\d{4}-\d\d-\d\dT/);
  });

  test('filters by stream and by q, and defaults limit to 50', async () => {
    await seed(client, 60, 'o', ORDERS);
    await seed(client, 5, 'p', PAYMENTS);
    let body = (
      await app.inject({ url: `/api/events/dlq?stream=${encodeURIComponent(PAYMENTS)}`, headers: AUTH })
    ).json();
    assert.equal(body.entries.length, 5);
    assert.equal(body.total, 5);
    assert.ok(body.entries.every((e: { stream: string }) => e.stream === PAYMENTS));
    body = (await app.inject({ url: '/api/events/dlq', headers: AUTH })).json();
    assert.equal(body.entries.length, 50);
    body = (await app.inject({ url: '/api/events/dlq?q=VALIDATIONERROR', headers: AUTH })).json();
    assert.equal(body.entries.length, 50);
    body = (await app.inject({ url: '/api/events/dlq?q=nothing-matches', headers: AUTH })).json();
    assert.equal(body.entries.length, 0);
    assert.equal(body.nextCursor, null);
  });

  test('redacts configured keys and truncates long payloads', async () => {
    const small = await makeApp(redis.url, { payloadMaxChars: 40 });
    try {
      await client.sendCommand(['FLUSHALL']);
      const { seedDlq } = await import('../src/tools/seed');
      await seedDlq(client, { dlqStream: DLQ }, ORDERS, [
        JSON.stringify({ user: 'a', password: 'hunter2', nested: { Token: 'abc' } }),
        JSON.stringify({ text: 'x'.repeat(100) }),
        '{"password": "cut-json-secret", "a": ',
        '<script>alert(1)</script>',
      ]);
      const entries = (await small.inject({ url: '/api/events/dlq', headers: AUTH })).json().entries;
      assert.equal(
        entries[0].payload,
        '{"user":"a","password":"[REDACTED]","nested":{"Token":"[REDACTED]"}}'.slice(0, 40)
      );
      assert.ok(!JSON.stringify(entries).includes('hunter2'));
      assert.ok(!JSON.stringify(entries).includes('cut-json-secret'));
      assert.equal(entries[1].payloadTruncated, true);
      assert.equal(entries[1].payload.length, 40);
      assert.equal(entries[3].payload, '<script>alert(1)</script>');
    } finally {
      await small.close();
    }
  });
});

describe('POST /api/events/dlq/retry', () => {
  test('retries up to an ID: re-added with retryOf, removed from the DLQ, later arrivals untouched', async () => {
    const seeded = await seed(client, 30, 'r', ORDERS);
    const upToId = seeded[19].dlqId;
    const res = await post(
      '/api/events/dlq/retry',
      { upToId },
      { 'x-grafana-context': JSON.stringify(grafanaContext.editor) }
    );
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assertSchema('RetryResult', body);
    assert.equal(body.outcome, 'ok');
    assert.equal(body.retried, 20);
    assert.equal(body.skipped, 0);
    assert.equal(body.remaining, 10);
    assert.equal(body.upToId, upToId);
    assert.match(body.operationId, /^op_/);
    const moved = (await client.sendCommand(['XRANGE', ORDERS, '-', '+'])) as Array<[string, string[]]>;
    assert.equal(moved.length, 20);
    const f = moved[0][1];
    assert.equal(f[f.indexOf('retryOf') + 1], seeded[0].dlqId);
    assert.equal(f[f.indexOf('retryOp') + 1], body.operationId);
    await assertExactlyOnce(
      client,
      seeded.map((s) => s.msg)
    );
    const health = (await app.inject({ url: '/api/events/health', headers: AUTH })).json();
    assert.deepEqual(health.dlq.byStream, { [ORDERS]: 10 });
  });

  test('clamps upToId to the newest entry so later arrivals are never included', async () => {
    const seeded = await seed(client, 5, 'c', ORDERS);
    const generous = `${Date.now() + 30000}-0`;
    const body = (await post('/api/events/dlq/retry', { upToId: generous })).json();
    assert.equal(body.upToId, seeded[4].dlqId);
    assert.equal(body.retried, 5);
  });

  test('stream filter and max cap', async () => {
    await seed(client, 10, 'o', ORDERS);
    const p = await seed(client, 10, 'p', PAYMENTS);
    await seed(client, 10, 'o2', ORDERS);
    const body = (await post('/api/events/dlq/retry', { upToId: p[9].dlqId, stream: PAYMENTS, max: 7 })).json();
    assert.equal(body.retried, 7);
    assert.equal(Number(await client.sendCommand(['XLEN', PAYMENTS])), 7);
    assert.equal(Number(await client.sendCommand(['XLEN', ORDERS])), 0);
    assert.equal(body.remaining, 23);
  });

  test('by IDs: IDs not in the DLQ are skipped, not errors', async () => {
    const seeded = await seed(client, 5, 'i', ORDERS);
    const body = (await post('/api/events/dlq/retry', { ids: [seeded[1].dlqId, seeded[3].dlqId, '1-1'] })).json();
    assert.equal(body.retried, 2);
    assert.equal(body.skipped, 1);
    assert.equal(body.remaining, 3);
    const again = (await post('/api/events/dlq/retry', { ids: [seeded[1].dlqId] })).json();
    assert.equal(again.retried, 0);
    assert.equal(again.skipped, 1);
  });

  test('dryRun counts without moving anything', async () => {
    const seeded = await seed(client, 12, 'd', ORDERS);
    const body = (await post('/api/events/dlq/retry', { upToId: seeded[9].dlqId, dryRun: true })).json();
    assert.equal(body.retried, 10);
    assert.equal(body.dryRun, true);
    assert.equal(Number(await client.sendCommand(['XLEN', DLQ])), 12);
    assert.equal(Number(await client.sendCommand(['EXISTS', ORDERS])), 0);
    const byIds = (await post('/api/events/dlq/retry', { ids: [seeded[0].dlqId, '1-1'], dryRun: true })).json();
    assert.deepEqual([byIds.retried, byIds.skipped], [1, 1]);
    assert.equal(Number(await client.sendCommand(['XLEN', DLQ])), 12);
  });

  test('an entry whose origin is not one of our keys stays in the DLQ and counts as skipped', async () => {
    await client.sendCommand(['XADD', DLQ, '*', 'stream', 'elsewhere', 'type', 't', 'payload', '{}']);
    const body = (await post('/api/events/dlq/retry', { upToId: `${Date.now()}-0` })).json();
    assert.deepEqual([body.retried, body.skipped, body.remaining], [0, 1, 1]);
    assert.equal(Number(await client.sendCommand(['EXISTS', 'elsewhere'])), 0);
  });

  test('Idempotency-Key returns the first response, and rejects reuse with another body', async () => {
    const seeded = await seed(client, 10, 'k', ORDERS);
    const h = { 'idempotency-key': 'retry-1' };
    const first = await post('/api/events/dlq/retry', { upToId: seeded[4].dlqId }, h);
    await seed(client, 1, 'late', ORDERS);
    const second = await post('/api/events/dlq/retry', { upToId: seeded[4].dlqId }, h);
    assert.equal(second.statusCode, 200);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.deepEqual(second.json(), first.json());
    assert.equal(Number(await client.sendCommand(['XLEN', ORDERS])), 5);
    const other = await post('/api/events/dlq/retry', { upToId: seeded[9].dlqId }, h);
    assert.equal(other.statusCode, 409);
    assert.equal(other.json().error, 'idempotency_key_reused');
  });

  test('the same POST twice within 50 ms with one Idempotency-Key moves each entry once', async () => {
    const seeded = await seed(client, 2000, 'twice', ORDERS);
    const h = { 'idempotency-key': 'double-click' };
    const body = { upToId: seeded[1999].dlqId };
    const a = post('/api/events/dlq/retry', body, h);
    await new Promise((r) => setTimeout(r, 10));
    const b = post('/api/events/dlq/retry', body, h);
    const [ra, rb] = await Promise.all([a, b]);
    const codes = [ra.statusCode, rb.statusCode].sort();
    assert.ok(codes[0] === 200 && (codes[1] === 200 || codes[1] === 409), `codes ${codes}`);
    const total = [ra, rb].filter((r) => r.statusCode === 200).map((r) => r.json().retried);
    assert.ok(
      total.every((n) => n === 2000),
      'a replay reports the first response'
    );
    await assertExactlyOnce(
      client,
      seeded.map((s) => s.msg)
    );
    assert.equal(Number(await client.sendCommand(['XLEN', ORDERS])), 2000);
  });

  test('writes one audit line with the Grafana user and counts, never the token or payloads', async () => {
    const { TOKEN } = await import('./helpers');
    const { app: logged, lines } = await makeLoggedApp(redis.url, 'info');
    try {
      const seeded = await seed(client, 3, 'audit', ORDERS);
      await logged.inject({
        method: 'POST',
        url: '/api/events/dlq/retry',
        headers: { ...AUTH, 'content-type': 'application/json', 'x-grafana-user': 'bob' },
        payload: JSON.stringify({ ids: [seeded[0].dlqId] }),
      });
      await logged.inject({
        method: 'POST',
        url: '/api/events/dlq/purge',
        headers: {
          ...AUTH,
          'content-type': 'application/json',
          'x-grafana-context': JSON.stringify(grafanaContext.editor),
        },
        payload: JSON.stringify({ confirm: 'purge', upToId: seeded[2].dlqId }),
      });
      const audits = lines.map((l) => JSON.parse(l)).filter((l) => l.audit);
      assert.equal(audits.length, 2);
      assert.equal(audits[0].audit.actor, 'bob');
      assert.equal(audits[0].audit.counts.retried, 1);
      assert.equal(audits[0].audit.outcome, 'ok');
      assert.equal(typeof audits[0].audit.durationMs, 'number');
      assert.equal(audits[1].audit.actor, 'eddie');
      assert.equal(audits[1].audit.counts.purged, 2);
      const all = lines.join('\n');
      assert.ok(!all.includes(TOKEN), 'token in logs');
      assert.ok(!all.includes('audit-1'), 'payload in logs');
    } finally {
      await logged.close();
    }
  });
});

describe('POST /api/events/dlq/purge', () => {
  test('purges up to an ID; entries after it survive; records which were purged', async () => {
    const seeded = await seed(client, 10, 'x', ORDERS);
    const res = await post('/api/events/dlq/purge', { confirm: 'purge', upToId: seeded[5].dlqId });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assertSchema('PurgeResult', body);
    assert.deepEqual([body.outcome, body.purged, body.remaining], ['ok', 6, 4]);
    const moves = (await client.sendCommand([
      'LRANGE',
      `{events}:op:${body.operationId}:moves`,
      '0',
      '-1',
    ])) as string[];
    assert.deepEqual(
      moves,
      seeded.slice(0, 6).map((s) => s.dlqId)
    );
    const purged = new Set(seeded.slice(0, 6).map((s) => s.msg));
    await assertExactlyOnce(
      client,
      seeded.map((s) => s.msg),
      purged
    );
  });

  test('purges by IDs and by stream', async () => {
    const o = await seed(client, 3, 'o', ORDERS);
    const p = await seed(client, 3, 'p', PAYMENTS);
    let body = (await post('/api/events/dlq/purge', { confirm: 'purge', ids: [o[0].dlqId, '1-1'] })).json();
    assert.deepEqual([body.purged, body.skipped, body.remaining], [1, 1, 5]);
    body = (await post('/api/events/dlq/purge', { confirm: 'purge', upToId: p[2].dlqId, stream: PAYMENTS })).json();
    assert.deepEqual([body.purged, body.remaining], [3, 2]);
  });
});

describe('GET /api/events/dlq/operations/:id', () => {
  test('verify: retried, refailed from retryOf, pending by consumer group', async () => {
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'order-workers', '$', 'MKSTREAM']);
    const seeded = await seed(client, 6, 'v', ORDERS);
    const op = (await post('/api/events/dlq/retry', { upToId: seeded[5].dlqId }, { 'x-grafana-user': 'dave' })).json();
    let view = (await app.inject({ url: `/api/events/dlq/operations/${op.operationId}`, headers: AUTH })).json();
    assertSchema('Operation', view);
    assert.equal(view.action, 'retry');
    assert.equal(view.actor, 'dave');
    assert.equal(view.retried, 6);
    assert.equal(view.refailed, 0);
    assert.equal(view.pending, 6);
    assert.equal(view.outcome, 'ok');

    // A worker takes all six, acknowledges four and fails two until they are dead-lettered again.
    const { runScript } = await import('../src/lua');
    const { KEYS } = await import('../src/redis');
    const got = (await client.sendCommand([
      'XREADGROUP',
      'GROUP',
      'order-workers',
      'w1',
      'COUNT',
      '10',
      'STREAMS',
      ORDERS,
      '>',
    ])) as unknown[][];
    const ids = (got[0][1] as Array<[string, string[]]>).map((e) => e[0]);
    await client.sendCommand(['XACK', ORDERS, 'order-workers', ...ids.slice(0, 4)]);
    const res = (await runScript(
      client,
      'deadLetter',
      [ORDERS, DLQ, KEYS.counts, KEYS.reasons, KEYS.stats],
      ['order-workers', 'w1', '0', '1', '100', KEYS.prefix]
    )) as unknown[];
    assert.equal(res[0], 2);
    view = (await app.inject({ url: `/api/events/dlq/operations/${op.operationId}`, headers: AUTH })).json();
    assert.equal(view.refailed, 2);
    assert.equal(view.pending, 0);
    const back = (await app.inject({ url: '/api/events/dlq', headers: AUTH })).json().entries;
    assert.equal(back.length, 2);
    assert.ok(
      back.every(
        (e: { retryOf: string; retryOperationId: string }) => e.retryOf && e.retryOperationId === op.operationId
      )
    );
  });

  test('404 for an unknown operation, 400 for a malformed id', async () => {
    let res = await app.inject({ url: '/api/events/dlq/operations/op_0000000000AAAAAAAAAA', headers: AUTH });
    assert.equal(res.statusCode, 404);
    assertSchema('Error', res.json());
    assert.equal(res.json().error, 'operation_not_found');
    res = await app.inject({ url: '/api/events/dlq/operations/..%2f..%2fetc', headers: AUTH });
    assert.equal(res.statusCode, 400);
  });

  test('409 while another mutation runs in this process', async () => {
    const seeded = await seed(client, 3000, 'busy', ORDERS);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    app.runner.onBatch = () => {
      holding();
      return gate;
    };
    try {
      const first = post('/api/events/dlq/retry', { upToId: seeded[2999].dlqId });
      await held;
      const second = await post('/api/events/dlq/purge', { confirm: 'purge', upToId: seeded[2999].dlqId });
      assert.equal(second.statusCode, 409);
      assert.equal(second.json().error, 'operation_in_progress');
      release();
      app.runner.onBatch = undefined;
      assert.equal((await first).json().retried, 3000);
    } finally {
      app.runner.onBatch = undefined;
      release();
    }
  });
});

describe('token rotation', () => {
  const PREVIOUS = 'previous-token-being-retired-0001';

  test('during a rotation both the new and the retiring token are accepted, nothing else', async () => {
    const { app: rotating, lines } = await makeLoggedApp(redis.url, 'warn', { previousToken: PREVIOUS });
    const warnings = () => lines.filter((l) => l.includes('EVENT_BUS_TOKEN_PREVIOUS')).length;
    try {
      const status = async (token: string) =>
        (await rotating.inject({ url: '/api/events/health', headers: { authorization: `Bearer ${token}` } }))
          .statusCode;
      assert.equal(await status(AUTH.authorization.slice('Bearer '.length)), 200);
      assert.equal(warnings(), 0, 'the current token is not warned about');
      assert.equal(await status(PREVIOUS), 200);
      assert.equal(await status(PREVIOUS), 200);
      assert.equal(warnings(), 2, 'each use of the retiring token is logged, so a finished rotation is noticed');
      assert.ok(!lines.join('').includes(PREVIOUS), 'the token itself is never logged');
      assert.equal(await status(`${PREVIOUS}x`), 401);
      assert.equal(await status('wrong-token-0123456789abcdef'), 401);
    } finally {
      await rotating.close();
    }
  });

  test('outside a rotation the retired token is refused', async () => {
    const res = await app.inject({ url: '/api/events/health', headers: { authorization: `Bearer ${PREVIOUS}` } });
    assert.equal(res.statusCode, 401);
  });
});

describe('the Grafana user an operation is recorded under', () => {
  // Headers in the shape Grafana sends (fixtures/x-grafana-context.json), never a hand-written one.
  const context = (user: object) => ({ 'x-grafana-context': JSON.stringify(user) });

  test("is the signed-in user's Login from X-Grafana-Context", () => {
    assert.equal(actorOf(context(grafanaContext.editor)), 'eddie');
  });

  test("is a service account's login as it is", () => {
    assert.equal(actorOf(context(grafanaContext.serviceAccount)), 'sa-1-opsdesk-bot');
  });

  test('is "anonymous" for an anonymous viewer, who has no login, name or email', () => {
    assert.equal(actorOf(context(grafanaContext.anonymousViewer)), 'anonymous');
  });

  test('falls back to Name, then Email, when Login is empty', () => {
    assert.equal(actorOf(context({ ...grafanaContext.editor, Login: '' })), 'Eddie Editor');
    assert.equal(actorOf(context({ ...grafanaContext.editor, Login: '', Name: '' })), 'eddie@example.com');
  });

  test('prefers X-Grafana-Context over X-Grafana-User, and takes X-Grafana-User when the context names nobody', () => {
    assert.equal(actorOf({ ...context(grafanaContext.editor), 'x-grafana-user': 'someone-else' }), 'eddie');
    assert.equal(actorOf({ 'x-grafana-user': 'ops' }), 'ops');
    assert.equal(actorOf({ 'x-grafana-context': 'not json', 'x-grafana-user': 'ops' }), 'ops');
  });

  test('does not read keys Grafana never sends (a lowercase login)', () => {
    assert.equal(actorOf(context({ login: 'alice' })), 'unknown');
  });

  test('keeps only printable ASCII, at most 200 characters', () => {
    assert.equal(actorOf(context({ ...grafanaContext.editor, Login: 'e\u0000d\ndie' })), 'eddie');
    assert.equal(actorOf(context({ ...grafanaContext.editor, Login: 'x'.repeat(500) })).length, 200);
  });
});
