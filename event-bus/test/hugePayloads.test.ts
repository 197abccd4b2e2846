import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import type { RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import { assertSchema, AUTH, connectedClient, DLQ, makeApp, ORDERS, postMutation, startRedis } from './helpers';

// A producer bug that happens in real systems: DLQ entries with payloads of megabytes. Listing them must not carry
// them out of Redis, health must answer whatever the listing does, and expensive reads are bounded.

const MB = 1024 * 1024;

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

/** A DLQ entry written with plain XADD, as a producer that bypasses the service does. */
async function xaddPayload(payload: string): Promise<string> {
  return (await client.sendCommand([
    'XADD',
    DLQ,
    '*',
    'stream',
    ORDERS,
    'type',
    'order.created',
    'reason',
    'TooBig',
    'attempts',
    '3',
    'payload',
    payload,
  ])) as string;
}

/** A JSON payload of about `bytes` bytes with a secret at its start. */
function hugePayload(bytes: number, n: number): string {
  return JSON.stringify({ password: 'hunter2', n, blob: 'x'.repeat(bytes) });
}

async function netOutput(): Promise<number> {
  const info = String(await client.sendCommand(['INFO', 'stats']));
  return Number(/total_net_output_bytes:(\d+)/.exec(info)?.[1]);
}

describe('payloads of megabytes', () => {
  test('a listing carries previews out of Redis, never the payloads', async () => {
    for (let i = 0; i < 20; i++) {
      await xaddPayload(hugePayload(5 * MB, i));
    }
    const before = await netOutput();
    const pages = await Promise.all(
      Array.from({ length: 4 }, () => app.inject({ url: '/api/events/dlq?limit=500', headers: AUTH }))
    );
    const sent = (await netOutput()) - before;
    for (const res of pages) {
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json();
      assertSchema('DlqPage', page);
      assert.equal(page.entries.length, 20);
      for (const e of page.entries) {
        assert.ok(e.payload.length <= 4096, `preview of ${e.payload.length} characters`);
        assert.equal(e.payloadTruncated, true);
        assert.ok(e.payloadBytes > 5 * MB);
        assert.ok(!e.payload.includes('hunter2'), 'the preview is redacted');
      }
    }
    // Four pages of 20 x 5 MB would be 400 MB; previews are 16 KB an entry at most.
    assert.ok(sent < 4 * 20 * 20 * 1024, `Redis sent ${sent} bytes for four listings`);
  });

  test('a filtered listing reads previews too', async () => {
    for (let i = 0; i < 5; i++) {
      await xaddPayload(hugePayload(2 * MB, i));
    }
    const before = await netOutput();
    const res = await app.inject({ url: '/api/events/dlq?q=toobig&limit=10', headers: AUTH });
    assert.equal(res.json().entries.length, 5);
    assert.ok((await netOutput()) - before < 5 * 20 * 1024);
  });

  test('one entry reads whole up to its own limit, redacted, and says when it is cut', async () => {
    const small = await xaddPayload(JSON.stringify({ password: 'hunter2', note: 'y'.repeat(10_000) }));
    const huge = await xaddPayload(hugePayload(5 * MB, 1));
    let res = await app.inject({ url: `/api/events/dlq/entries/${small}`, headers: AUTH });
    assert.equal(res.statusCode, 200, res.body);
    assertSchema('DlqEntry', res.json());
    assert.equal(res.json().payloadTruncated, false);
    assert.equal(JSON.parse(res.json().payload).note.length, 10_000, 'the whole payload, past the preview size');
    assert.equal(JSON.parse(res.json().payload).password, '[REDACTED]');

    res = await app.inject({ url: `/api/events/dlq/entries/${huge}`, headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().payloadTruncated, true);
    assert.ok(res.json().payload.length <= MB, `${res.json().payload.length} characters`);
    assert.ok(res.json().payloadBytes > 5 * MB);
    assert.ok(!res.json().payload.includes('hunter2'));

    res = await app.inject({ url: '/api/events/dlq/entries/1-0', headers: AUTH });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'entry_not_found');
    res = await app.inject({ url: '/api/events/dlq/entries/not-an-id', headers: AUTH });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, 'id');
  });

  test('health reads IDs only, however large the oldest and newest entries', async () => {
    await xaddPayload(hugePayload(5 * MB, 1));
    await xaddPayload(hugePayload(5 * MB, 2));
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'workers', '0', 'MKSTREAM']);
    await client.sendCommand(['XADD', ORDERS, '*', 'payload', 'z'.repeat(5 * MB)]);
    await client.sendCommand(['XREADGROUP', 'GROUP', 'workers', 'w', 'STREAMS', ORDERS, '>']);
    const before = await netOutput();
    const res = await app.inject({ url: '/api/events/health', headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().dlq.length, 2);
    assert.ok((await netOutput()) - before < 64 * 1024);
    const metrics = await app.inject({ url: '/metrics' });
    assert.match(metrics.body, /^eventbus_redis_up 1$/m);
    assert.ok((await netOutput()) - before < 128 * 1024);
  });
});

describe('health never queues behind other reads', () => {
  test('answers 200 while the connection of listings and retries is blocked', async () => {
    // A blocking command holds the main connection for 3 s: anything sent on it waits. Health has its own.
    const blocked = app.redis.sendCommand(['BLPOP', '{events}:nothing', '3']);
    const started = Date.now();
    const res = await app.inject({ url: '/api/events/health', headers: AUTH });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'ok');
    assert.ok(Date.now() - started < 3000, 'health did not wait for the blocked connection');
    await blocked;
  });
});

describe('health while Redis is busy', () => {
  /** Holds Redis's one thread for `ms`, as copying a few 10 MB entries does, and resolves when Redis is free. */
  const busyRedis = (ms: number): Promise<unknown> =>
    client.sendCommand([
      'EVAL',
      "local t = redis.call('TIME') local stop = t[1] * 1e6 + t[2] + tonumber(ARGV[1]) * 1000 " +
        "repeat t = redis.call('TIME') until t[1] * 1e6 + t[2] >= stop return 1",
      '0',
      String(ms),
    ]);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const health = async () => {
    const res = await app.inject({ url: '/api/events/health', headers: AUTH });
    return { status: res.statusCode, body: res.json() };
  };

  test('after a slow reading, health answers from its newest reading while Redis is busy, and says when Redis has been silent for 1 s', async () => {
    // A reading held 400 ms by a busy Redis: answered with that reading, and health now knows Redis is busy.
    const first = busyRedis(400);
    await sleep(30);
    const slow = await health();
    assert.equal(slow.status, 200);
    await first;

    let freed = false;
    const second = busyRedis(2500).then(() => (freed = true));
    await sleep(30);
    const during = await health();
    assert.equal(freed, false);
    assert.equal(during.status, 200, 'answered while Redis was busy');
    assert.equal(during.body.checkedAt, slow.body.checkedAt, 'with the newest reading, whose checkedAt says when');

    await sleep(1100);
    const silent = await health();
    assert.equal(freed, false);
    assert.equal(silent.status, 503, 'a Redis silent for 1 s is reported, not hidden behind the newest reading');
    assert.match(silent.body.reasons[0], /did not answer within 1 s/);
    await second;

    // Redis free again: readings are quick, and every request gets a reading of its own again.
    let fresh = false;
    for (let i = 0; i < 50 && !fresh; i++) {
      const asked = Date.now();
      const res = await health();
      fresh = res.status === 200 && Date.parse(res.body.checkedAt) >= asked;
      await sleep(20);
    }
    assert.ok(fresh, 'health reads Redis on every request again once readings are quick');
  });

  test('after a retry, the next health answer reads Redis again even while it is busy, so it shows the retry', async () => {
    const ids = [await xaddPayload('{"n":1}'), await xaddPayload('{"n":2}')];
    const first = busyRedis(400);
    await sleep(30);
    assert.equal((await health()).body.dlq.length, 2);
    await first;
    const res = await postMutation(app, 'retry', { ids });
    assert.equal(res.json().retried, 2);
    const busy = busyRedis(400);
    await sleep(30);
    const after = await health();
    assert.equal(after.status, 200);
    assert.equal(after.body.dlq.length, 0, 'not the reading from before the retry');
    await busy;
  });
});

describe('expensive reads are bounded', () => {
  test('past 4 listings at once the next gets 429 with Retry-After, and a slot frees when one ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const list = app.store.list.bind(app.store);
    app.store.list = async (q) => {
      await gate;
      return list(q);
    };
    try {
      const running = Array.from({ length: 4 }, () => app.inject({ url: '/api/events/dlq', headers: AUTH }));
      // Each of the four holds its slot at the gate before the fifth arrives.
      await new Promise((r) => setTimeout(r, 50));
      const fifth = await app.inject({ url: '/api/events/dlq', headers: AUTH });
      assert.equal(fifth.statusCode, 429);
      assert.equal(fifth.headers['retry-after'], '1');
      assertSchema('Error', fifth.json());
      assert.equal(fifth.json().error, 'too_many_requests');
      release();
      assert.deepEqual(
        (await Promise.all(running)).map((r) => r.statusCode),
        [200, 200, 200, 200]
      );
      assert.equal((await app.inject({ url: '/api/events/dlq', headers: AUTH })).statusCode, 200);
    } finally {
      app.store.list = list;
      release();
    }
  });

  test('past 2 dry runs at once the next gets 429; a real run is not limited by them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = app.runner.run.bind(app.runner);
    app.runner.run = async (req) => {
      if (req.dryRun) {
        await gate;
      }
      return run(req);
    };
    try {
      const dry = { upToId: '1-0', dryRun: true };
      const running = [postMutation(app, 'retry', dry), postMutation(app, 'retry', { ...dry, stream: ORDERS })];
      await new Promise((r) => setTimeout(r, 50));
      const third = await postMutation(app, 'retry', dry);
      assert.equal(third.statusCode, 429, third.body);
      const real = await postMutation(app, 'retry', { upToId: '1-0' });
      assert.equal(real.statusCode, 200, real.body);
      release();
      assert.deepEqual(
        (await Promise.all(running)).map((r) => r.statusCode),
        [200, 200]
      );
    } finally {
      app.runner.run = run;
      release();
    }
  });

  test('each Grafana user has READS_PER_MINUTE reads of each expensive route; another user is not affected', async () => {
    const limited = await makeApp(redis.url, { readsPerMinute: 3 });
    const as = (login: string) => ({ ...AUTH, 'x-grafana-context': JSON.stringify({ Login: login }) });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await limited.inject({ url: '/api/events/dlq', headers: as('alice') })).statusCode, 200);
      }
      const over = await limited.inject({ url: '/api/events/dlq', headers: as('alice') });
      assert.equal(over.statusCode, 429);
      assert.ok(Number(over.headers['retry-after']) > 0);
      assert.equal(over.json().error, 'too_many_requests');
      assert.equal((await limited.inject({ url: '/api/events/dlq', headers: as('bob') })).statusCode, 200);
      // Each route counts on its own: the full-payload read still answers (404: no such entry).
      assert.equal(
        (await limited.inject({ url: '/api/events/dlq/entries/1-0', headers: as('alice') })).statusCode,
        404
      );
      // Health is not an expensive read: the panel's poll never runs into the limit.
      assert.equal((await limited.inject({ url: '/api/events/health', headers: as('alice') })).statusCode, 200);
    } finally {
      await limited.close();
    }
  });
});
