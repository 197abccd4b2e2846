import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import { runScript } from '../src/lua';
import { KEYS, type RedisClient, type StreamEntry } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import {
  AUTH,
  census,
  check,
  connectedClient,
  DLQ,
  makeApp,
  naiveRetry,
  ORDERS,
  purgedIdsOf,
  seed,
  startRedis,
  summary,
  assertExactlyOnce,
  assertIndexExact,
  waitFor,
  postMutation,
} from './helpers';

// The concurrency and arrival scenarios of docs/reliability.md. Two apps on one Redis stand for two replicas (or two
// operators whose requests land on different replicas): the in-process 409 guard cannot serialise them, so the
// scripts alone must keep every message in exactly one place.

let redis: RedisServer;
let a: FastifyInstance;
let b: FastifyInstance;
let client: RedisClient;

before(async () => {
  redis = await startRedis();
  client = await connectedClient(redis.url);
  a = await makeApp(redis.url);
  b = await makeApp(redis.url);
});

after(async () => {
  await a.close();
  await b.close();
  await client.close();
  await redis.destroy();
});

beforeEach(async () => {
  await client.sendCommand(['FLUSHALL']);
});

/** Publishes one message, delivers it once to a worker that fails it, and dead-letters it by delivery count. */
async function deadLetterOne(c: RedisClient, msg: string): Promise<void> {
  await c.sendCommand(['XADD', ORDERS, '*', 'type', 'order.created', 'payload', JSON.stringify({ msg })]);
  await c.sendCommand(['XREADGROUP', 'GROUP', 'order-workers', 'producer-side', 'COUNT', '1', 'STREAMS', ORDERS, '>']);
  await runScript(
    c,
    'deadLetter',
    [ORDERS, DLQ, KEYS.counts, KEYS.reasons, KEYS.stats],
    ['order-workers', 'producer-side', '0', '1', '100', KEYS.prefix]
  );
}

describe('concurrent operators', () => {
  test('two replicas retry the same 20,000 entries up to the same ID, 10 repetitions: zero lost, zero duplicated', async () => {
    for (let rep = 0; rep < 10; rep++) {
      await client.sendCommand(['FLUSHALL']);
      const seeded = await seed(client, 20000, `rep${rep}`);
      const upToId = seeded[seeded.length - 1].dlqId;
      const [ra, rb] = await Promise.all([postMutation(a, 'retry', { upToId }), postMutation(b, 'retry', { upToId })]);
      assert.equal(ra.statusCode, 200);
      assert.equal(rb.statusCode, 200);
      const total = ra.json().retried + rb.json().retried;
      assert.equal(total, 20000, `rep ${rep}: reported ${total}`);
      assert.equal(Number(await client.sendCommand(['XLEN', ORDERS])), 20000, 'moves observed equal moves reported');
      const v = check(
        seeded.map((s) => s.msg),
        await census(client)
      );
      assert.equal(summary(v), 'lost=0 duplicated=0 unexpected=0', `rep ${rep}`);
      await assertIndexExact(client, `rep ${rep}`);
    }
  });

  test('negative control: the naive read/XADD/XDEL loop run by two operators is flagged by the checker', async () => {
    const seeded = await seed(client, 20000, 'naive');
    const upToId = seeded[seeded.length - 1].dlqId;
    const c2 = await connectedClient(redis.url);
    try {
      await Promise.all([naiveRetry(client, upToId), naiveRetry(c2, upToId)]);
    } finally {
      await c2.close();
    }
    const v = check(
      seeded.map((s) => s.msg),
      await census(client)
    );
    console.log(`# negative control (naive loop, 2 operators, 20,000 entries): ${summary(v)}`);
    assert.ok(v.duplicated.length > 1000, `checker must flag the naive loop: ${summary(v)}`);
  });

  test('retry racing purge on the same range: each entry retried or purged, never both, never lost', async () => {
    const seeded = await seed(client, 20000, 'race');
    const upToId = seeded[seeded.length - 1].dlqId;
    const [rr, rp] = await Promise.all([
      postMutation(a, 'retry', { upToId }),
      postMutation(b, 'purge', { confirm: 'purge', upToId }),
    ]);
    const retried = rr.json().retried as number;
    const purged = rp.json().purged as number;
    assert.equal(retried + purged, 20000);
    const purgedIds = new Set(await purgedIdsOf(client, rp.json().operationId));
    assert.equal(purgedIds.size, purged, 'audit record lists every purged entry');
    const purgedMsgs = new Set(seeded.filter((s) => purgedIds.has(s.dlqId)).map((s) => s.msg));
    const v = check(
      seeded.map((s) => s.msg),
      await census(client),
      purgedMsgs
    );
    assert.equal(summary(v), 'lost=0 duplicated=0 unexpected=0');
    await assertIndexExact(client, 'retry racing purge');
    assert.equal(Number(await client.sendCommand(['XLEN', ORDERS])), retried);
    console.log(`# retry vs purge: retried=${retried} purged=${purged}`);
  });

  test('overlapping ID lists from two replicas move each entry once', async () => {
    for (let round = 0; round < 5; round++) {
      await client.sendCommand(['FLUSHALL']);
      const seeded = await seed(client, 1500, `ov${round}`);
      const ids = seeded.map((s) => s.dlqId);
      const [ra, rb] = await Promise.all([
        postMutation(a, 'retry', { ids: ids.slice(0, 1000) }),
        postMutation(b, 'retry', { ids: ids.slice(500, 1500) }),
      ]);
      const ja = ra.json();
      const jb = rb.json();
      assert.equal(ja.retried + jb.retried, 1500);
      assert.equal(ja.skipped + jb.skipped, 500);
      await assertExactlyOnce(
        client,
        seeded.map((s) => s.msg)
      );
    }
  });
});

describe('arrivals during operations', () => {
  test('purge up to X while a producer dead-letters 100 msg/s: everything after X survives', async () => {
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'order-workers', '$', 'MKSTREAM']);
    const seeded = await seed(client, 20000, 'before');
    const producer = await connectedClient(redis.url);
    const arrivals: string[] = [];
    let stop = false;
    // About 100 msg/s, bounded in count (not in time, so a slow machine gets the same scenario, only slower).
    const produce = (async () => {
      while (!stop && arrivals.length < 5000) {
        const msg = `arrival-${arrivals.length}`;
        arrivals.push(msg);
        await deadLetterOne(producer, msg);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(() => arrivals.length >= 40, 30_000, '40 arrivals before the purge');
    const list = (await a.inject({ url: '/api/events/dlq?limit=1', headers: AUTH })).json();
    const res = await postMutation(a, 'purge', { confirm: 'purge', upToId: list.snapshotId });
    const atPurgeEnd = arrivals.length;
    await waitFor(() => arrivals.length >= atPurgeEnd + 40, 30_000, '40 arrivals after the purge');
    stop = true;
    await produce;
    await producer.close();
    const body = res.json();
    assert.equal(body.outcome, 'ok');
    const purgedIds = await purgedIdsOf(client, body.operationId);
    assert.equal(purgedIds.length, body.purged);
    const dlq = (await client.sendCommand(['XRANGE', DLQ, '-', '+'])) as StreamEntry[];
    const survivors = dlq.map((e) => e[0]);
    assert.ok(survivors.every((id) => !purgedIds.includes(id)));
    assert.ok(dlq.length >= 40, `arrivals after X must survive (got ${dlq.length})`);
    // Every purged entry is at or before X; every survivor is after it.
    const x = body.upToId as string;
    const { compareIds } = await import('../src/ids');
    assert.ok(purgedIds.every((id) => compareIds(id, x) <= 0));
    assert.ok(survivors.every((id) => compareIds(id, x) > 0));
    // Census: the seeded entries were all purged; arrivals are each in exactly one place.
    const seen = await census(client);
    const dlqMsgs = new Set<string>();
    for (const e of dlq) {
      dlqMsgs.add(JSON.parse(e[1][e[1].indexOf('payload') + 1]).msg);
    }
    const purgedMsgs = new Set([...seeded.map((s) => s.msg), ...arrivals.filter((m) => !dlqMsgs.has(m))]);
    const v = check([...seeded.map((s) => s.msg), ...arrivals], seen, purgedMsgs);
    assert.equal(summary(v), 'lost=0 duplicated=0 unexpected=0');
    assert.equal(body.purged, purgedMsgs.size, 'reported purged equals observed');
    await assertIndexExact(client, 'purge during arrivals');
    console.log(`# purge during arrivals: purged=${body.purged} survivors=${dlq.length} arrivals=${arrivals.length}`);
  });

  test('retry up to X while consumers keep failing the retried messages: the operation ends, nothing retried twice', async () => {
    await client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'order-workers', '$', 'MKSTREAM']);
    const seeded = await seed(client, 5000, 'refail');
    const worker = await connectedClient(redis.url);
    let stop = false;
    let refailed = 0;
    // A consumer that fails every message on its first delivery (delivery limit 1), so retried messages come
    // straight back to the DLQ with new IDs while the retry is still running.
    const consume = (async () => {
      // Bounded by the test's waitFor below (30 s) through `stop`, and by a generous deadline of its own.
      const until = Date.now() + 60_000;
      while (!stop && Date.now() < until) {
        await worker.sendCommand(['XREADGROUP', 'GROUP', 'order-workers', 'w', 'COUNT', '100', 'STREAMS', ORDERS, '>']);
        const res = (await runScript(
          worker,
          'deadLetter',
          [ORDERS, DLQ, KEYS.counts, KEYS.reasons, KEYS.stats],
          ['order-workers', 'w', '0', '1', '100', KEYS.prefix]
        )) as number[];
        refailed += res[0];
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const res = await postMutation(a, 'retry', { upToId: seeded[4999].dlqId });
    const body = res.json();
    // Let the consumer fail some of the retried messages (a count, whatever the machine's speed), then stop it.
    await waitFor(() => refailed > 0, 30_000, 'the consumer to fail a retried message');
    stop = true;
    await consume;
    await worker.close();
    assert.equal(body.outcome, 'ok');
    assert.equal(body.retried, 5000, 'retried exactly the entries up to X, none of the returning ones');
    const moves = (await client.sendCommand(['LRANGE', KEYS.opMoves(body.operationId), '0', '-1'])) as string[];
    assert.equal(moves.length, 5000);
    const seen = await census(client);
    assert.equal(
      summary(
        check(
          seeded.map((s) => s.msg),
          seen
        )
      ),
      'lost=0 duplicated=0 unexpected=0'
    );
    await assertIndexExact(client, 'retry while failing');
    const op = (await a.inject({ url: `/api/events/dlq/operations/${body.operationId}`, headers: AUTH })).json();
    assert.equal(op.refailed, refailed);
    assert.ok(refailed > 0);
    console.log(`# retry while failing: retried=${body.retried} refailed=${refailed}`);
  });

  test('paging the whole DLQ with the cursor while entries keep arriving lists every entry once', async () => {
    const seeded = await seed(client, 5000, 'page');
    const producer = await connectedClient(redis.url);
    let stop = false;
    let produced = 0;
    const produce = (async () => {
      while (!stop && produced < 5000) {
        await seed(producer, 10, `late${produced}`);
        produced += 10;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const listed: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const res: { json: () => { entries: Array<{ id: string }>; nextCursor: string | null } } = await a.inject({
        url: `/api/events/dlq?limit=100${after ? `&after=${after}` : ''}`,
        headers: AUTH,
      });
      const body = res.json();
      listed.push(...body.entries.map((e: { id: string }) => e.id));
      after = body.nextCursor;
      if (!after) {
        break;
      }
    }
    stop = true;
    await produce;
    await producer.close();
    assert.equal(new Set(listed).size, listed.length, 'no entry listed twice');
    const listedSet = new Set(listed);
    assert.ok(
      seeded.every((s) => listedSet.has(s.dlqId)),
      'every entry present at the start was listed'
    );
    const { compareIds } = await import('../src/ids');
    for (let i = 1; i < listed.length; i++) {
      assert.ok(compareIds(listed[i - 1], listed[i]) < 0, 'oldest first');
    }
    console.log(`# paging during arrivals: listed=${listed.length} (seeded 5000, arrived ${produced})`);
  });
});
