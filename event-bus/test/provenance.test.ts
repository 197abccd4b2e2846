import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import { runScript } from '../src/lua';
import { KEYS, type RedisClient, type StreamEntry } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import { assertSchema, AUTH, connectedClient, DLQ, makeApp, ORDERS, postMutation, seed, startRedis } from './helpers';

// Verify's `refailed` counts only messages this service retried, each at most once. Other producers XADD to the
// same streams and can write any field, `retryOf` and `retryOp` included: such a message is data, not provenance.

const GROUP = 'order-workers';
const SMALL = 2;

let redis: RedisServer;
let app: FastifyInstance;
/** The same service with a small VERIFY_MAX_MESSAGES, so a range retry of a few entries is not recorded. */
let small: FastifyInstance;
let client: RedisClient;

before(async () => {
  redis = await startRedis();
  client = await connectedClient(redis.url);
  app = await makeApp(redis.url);
  small = await makeApp(redis.url, { verifyMaxMessages: SMALL });
});

after(async () => {
  await small.close();
  await app.close();
  await client.close();
  await redis.destroy();
});

beforeEach(async () => {
  await client.sendCommand(['FLUSHALL']);
  await client.sendCommand(['XGROUP', 'CREATE', ORDERS, GROUP, '$', 'MKSTREAM']);
});

async function retry(a: FastifyInstance, body: unknown): Promise<string> {
  const res = await postMutation(a, 'retry', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().operationId as string;
}

async function verify(a: FastifyInstance, operationId: string) {
  const res = await a.inject({ url: `/api/events/dlq/operations/${operationId}`, headers: AUTH });
  assert.equal(res.statusCode, 200, res.body);
  const view = res.json();
  assertSchema('Operation', view);
  return view;
}

/** A worker reads everything new on ORDERS and acknowledges none of it; returns the IDs it read. */
async function readAndFail(): Promise<string[]> {
  const got = (await client.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'w1', 'STREAMS', ORDERS, '>'])) as Array<
    [string, StreamEntry[]]
  > | null;
  return (got?.[0]?.[1] ?? []).map(([id]) => id);
}

/** Dead-letters every pending message of the group (delivery limit 1). Returns how many it dead-lettered. */
async function deadLetter(): Promise<number> {
  const res = (await runScript(
    client,
    'deadLetter',
    [ORDERS, DLQ, KEYS.counts, KEYS.reasons, KEYS.stats],
    [GROUP, 'w1', '0', '1', '100', KEYS.prefix]
  )) as [number, number, unknown[]];
  return Number(res[0]);
}

interface Entry {
  id: string;
  retryOf: string | null;
  retryOperationId: string | null;
  payload: string;
}

async function dlqEntries(): Promise<Entry[]> {
  const res = await app.inject({ url: '/api/events/dlq?limit=100', headers: AUTH });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().entries as Entry[];
}

async function produce(fields: Record<string, string>): Promise<string> {
  return (await client.sendCommand(['XADD', ORDERS, '*', ...Object.entries(fields).flat()])) as string;
}

describe('refailed counts only what this service retried', () => {
  test('a forged retryOp written by another producer neither raises refailed nor names the operation', async () => {
    const seeded = await seed(client, 1, 'real');
    const op = await retry(app, { ids: [seeded[0].dlqId] });
    // The real retried message is processed.
    const ids = await readAndFail();
    await client.sendCommand(['XACK', ORDERS, GROUP, ...ids]);

    await produce({
      type: 'order.created',
      payload: JSON.stringify({ msg: 'forged' }),
      retryOf: seeded[0].dlqId,
      retryOp: op,
    });
    assert.equal((await readAndFail()).length, 1);
    assert.equal(await deadLetter(), 1);

    const view = await verify(app, op);
    assert.equal(view.retried, 1);
    assert.equal(view.refailed, 0);
    const entries = await dlqEntries();
    assert.equal(entries.length, 1);
    assert.equal(entries[0].retryOf, seeded[0].dlqId, 'retryOf is kept as data');
    assert.equal(entries[0].retryOperationId, null);
  });

  test('a retried message that fails counts once; a copy with the same fields does not count again', async () => {
    const seeded = await seed(client, 2, 'genuine');
    const op = await retry(app, { upToId: seeded[1].dlqId });
    assert.equal((await verify(app, op)).refailed, 0);

    // Both retried messages fail until the dead-letter script takes them back.
    const retried = (await client.sendCommand(['XRANGE', ORDERS, '-', '+'])) as StreamEntry[];
    assert.equal(retried.length, 2);
    assert.equal((await readAndFail()).length, 2);
    assert.equal(await deadLetter(), 2);
    let view = await verify(app, op);
    assert.equal(view.refailed, 2);
    let entries = await dlqEntries();
    assert.equal(entries.length, 2);
    assert.ok(entries.every((e) => e.retryOperationId === op && e.retryOf !== null));

    // Another producer republishes an exact copy of a retried message (same fields, new ID) that fails too.
    const copy = retried[0][1];
    await client.sendCommand(['XADD', ORDERS, '*', ...copy]);
    assert.equal((await readAndFail()).length, 1);
    assert.equal(await deadLetter(), 1);
    view = await verify(app, op);
    assert.equal(view.refailed, 2, 'the copy is not counted again');
    entries = await dlqEntries();
    assert.equal(entries.length, 3);
    assert.equal(entries.filter((e) => e.retryOperationId === op).length, 2);

    // A second operation retries one of the returned messages and it fails again: it counts for that operation,
    // not once more for the first.
    const again = entries.find((e) => e.retryOperationId === op)!;
    const op2 = await retry(app, { ids: [again.id] });
    assert.equal((await readAndFail()).length, 1);
    assert.equal(await deadLetter(), 1);
    assert.equal((await verify(app, op)).refailed, 2);
    assert.equal((await verify(app, op2)).refailed, 1);
    const last = (await dlqEntries()).find((e) => e.retryOf === again.id)!;
    assert.equal(last.retryOperationId, op2);
  });

  test('an operation above VERIFY_MAX_MESSAGES is not recorded: refailed is null, not a number', async () => {
    const seeded = await seed(client, SMALL + 1, 'large');
    const op = await retry(small, { upToId: seeded[SMALL].dlqId });
    let view = await verify(small, op);
    assert.equal(view.retried, SMALL + 1);
    assert.equal(view.pending, null);
    assert.equal(view.refailed, null);

    // Its messages fail and come back: still null, and no DLQ entry names the operation it cannot prove.
    assert.equal((await readAndFail()).length, SMALL + 1);
    assert.equal(await deadLetter(), SMALL + 1);
    view = await verify(small, op);
    assert.equal(view.refailed, null);
    const entries = await dlqEntries();
    assert.equal(entries.length, SMALL + 1);
    assert.ok(entries.every((e) => e.retryOf !== null && e.retryOperationId === null));

    // A purge retries nothing, so it has nothing to prove: refailed stays 0 whatever its size.
    const purge = await postMutation(small, 'purge', { confirm: 'purge', upToId: entries[SMALL].id });
    assert.equal(purge.statusCode, 200, purge.body);
    assert.equal((await verify(small, purge.json().operationId)).refailed, 0);
  });
});
