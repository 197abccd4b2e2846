import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import type { RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import {
  assertSchema,
  census,
  check,
  connectedClient,
  DLQ,
  makeApp,
  ORDERS,
  seed,
  startRedis,
  summary,
  postMutation,
} from './helpers';

// DLQ entries the service did not write: other producers XADD to the DLQ by hand, streams are renamed or removed
// from the configuration, keys under the prefix hold other types. None of it may duplicate or lose a message.

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

/** A DLQ entry as a producer that bypasses the service writes it: plain XADD with whatever fields it has. */
async function xadd(fields: Record<string, string>): Promise<string> {
  return (await client.sendCommand(['XADD', DLQ, '*', ...Object.entries(fields).flat()])) as string;
}

const MALFORMED: Array<{ name: string; fields: (msg: string) => Record<string, string>; why: RegExp }> = [
  {
    name: 'an origin that is a hash under the prefix',
    fields: (msg) => ({ stream: '{events}:meta', type: 't', payload: JSON.stringify({ msg }) }),
    why: /^origin stream not configured$/,
  },
  {
    name: 'an origin no longer configured',
    fields: (msg) => ({ stream: '{events}:gone', type: 't', payload: JSON.stringify({ msg }) }),
    why: /^origin stream not configured$/,
  },
  {
    name: 'an empty origin',
    fields: (msg) => ({ stream: '', type: 't', payload: JSON.stringify({ msg }) }),
    why: /^no origin stream$/,
  },
  {
    name: 'no origin field',
    fields: (msg) => ({ type: 't', payload: JSON.stringify({ msg }) }),
    why: /^no origin stream$/,
  },
  {
    name: 'no payload',
    fields: () => ({ stream: ORDERS, type: 't' }),
    why: /^no payload$/,
  },
];

describe('malformed DLQ entries', () => {
  for (const kind of MALFORMED) {
    for (const by of ['ids', 'upToId'] as const) {
      test(`${kind.name}, retried by ${by} three times among good ones: each good message once, the bad one stays`, async () => {
        await client.sendCommand(['HSET', '{events}:meta', 'owner', 'platform']);
        const good1 = await seed(client, 1, 'good1');
        const badId = await xadd(kind.fields('bad'));
        const good2 = await seed(client, 1, 'good2');
        const ids = [good1[0].dlqId, badId, good2[0].dlqId];
        for (let attempt = 0; attempt < 3; attempt++) {
          const res = await postMutation(app, 'retry', by === 'ids' ? { ids } : { upToId: good2[0].dlqId });
          assert.equal(res.statusCode, 200, res.body);
          const body = res.json();
          assertSchema('RetryResult', body);
          assert.equal(body.retried, attempt === 0 ? 2 : 0);
          assert.equal(body.invalidCount, 1);
          assert.equal(body.invalid[0].id, badId);
          assert.match(body.invalid[0].why, kind.why);
          assert.equal(body.invalid[0].stream, kind.fields('bad').stream ?? '');
        }
        const seen = await census(client);
        assert.equal(
          summary(check(['good1-0', 'good2-0'], seen)).replace(/ unexpected=\d+/, ''),
          'lost=0 duplicated=0'
        );
        assert.equal(seen.counts.get('good1-0'), 1);
        assert.equal(seen.counts.get('good2-0'), 1);
        const dlq = (await client.sendCommand(['XRANGE', DLQ, '-', '+'])) as Array<[string, string[]]>;
        assert.deepEqual(
          dlq.map(([id]) => id),
          [badId],
          'only the malformed entry is left in the DLQ'
        );
        assert.equal(await client.sendCommand(['TYPE', '{events}:meta']), 'hash');
        assert.equal(
          await client.sendCommand(['EXISTS', '{events}:gone']),
          0,
          'no stream created for an unknown origin'
        );
      });
    }
  }

  test('a purge removes malformed entries with the rest', async () => {
    const good = await seed(client, 2, 'g');
    const badIds = [];
    for (const kind of MALFORMED) {
      badIds.push(await xadd(kind.fields('bad')));
    }
    const res = await postMutation(app, 'purge', { confirm: 'purge', upToId: badIds[badIds.length - 1] });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().purged, good.length + badIds.length);
    assert.equal(Number(await client.sendCommand(['XLEN', DLQ])), 0);
  });

  test('a dry run reports what a retry would leave behind, and moves nothing', async () => {
    await seed(client, 2, 'g');
    const badId = await xadd(MALFORMED[1].fields('bad'));
    const res = await postMutation(app, 'retry', { upToId: badId, dryRun: true });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().retried, res.json().dryRun], [2, true]);
    assert.equal(Number(await client.sendCommand(['XLEN', DLQ])), 3);
  });
});

describe('Redis errors that are not an outage', () => {
  test('Redis out of memory: 500 redis_error, never "repeating is safe"; nothing moved', async () => {
    const seeded = await seed(client, 5, 'oom');
    await client.sendCommand(['CONFIG', 'SET', 'maxmemory', '1']);
    try {
      const res = await postMutation(app, 'retry', { upToId: seeded[4].dlqId });
      assert.equal(res.statusCode, 500, res.body);
      const body = res.json();
      assertSchema('MutationError', body);
      assert.equal(body.error, 'redis_error');
      assert.doesNotMatch(body.message, /repeat(ing)? is safe/i);
    } finally {
      await client.sendCommand(['CONFIG', 'SET', 'maxmemory', '0']);
    }
    assert.equal(Number(await client.sendCommand(['XLEN', DLQ])), 5);
    assert.equal(Number(await client.sendCommand(['EXISTS', ORDERS])), 0);
  });
});
