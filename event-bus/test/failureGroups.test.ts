import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { GroupsAnswer } from '../src/store';
import { seedDlq } from '../src/tools/seed';
import { assertSchema, AUTH, DLQ, ORDERS, PAYMENTS, postMutation, redisTestBed } from './helpers';

// GET /api/events/dlq/groups: the DLQ by failure group, from the index the add and remove scripts keep, exact after
// the service's own moves and repaired (saying `stale` meanwhile) after other producers write or delete behind it.

const bed = redisTestBed();

async function groups(query = ''): Promise<GroupsAnswer> {
  const res = await bed.app.inject({ method: 'GET', url: `/api/events/dlq/groups${query}`, headers: AUTH });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json<GroupsAnswer>();
  assertSchema('DlqGroups', body);
  return body;
}

/** Asks until the index is repaired, as a client polling a stale answer would. */
async function settled(query = ''): Promise<GroupsAnswer> {
  await groups(query);
  await bed.app.store.whenGroupsRepaired();
  const answer = await groups(query);
  assert.equal(answer.stale, false, 'the repair left the index stale');
  return answer;
}

const counts = (answer: GroupsAnswer) =>
  Object.fromEntries(answer.groups.map((g) => [`${g.stream} ${g.type} ${g.failureClass}`, g.count]));

async function seedReason(origin: string, n: number, reason: string, type = 'order.created'): Promise<string[]> {
  return seedDlq(
    bed.client,
    { dlqStream: DLQ },
    origin,
    Array.from({ length: n }, (_, i) => `{"i":${i}}`),
    {
      reason,
      type,
    }
  );
}

describe('failure classes', () => {
  const classOf = async (reason: string) => {
    await bed.client.sendCommand(['FLUSHALL']);
    await seedReason(ORDERS, 1, reason);
    return (await groups()).groups[0].failureClass;
  };

  test('masks what varies between entries of one failure and keeps what names it', async () => {
    assert.equal(
      await classOf('TimeoutError: upstream did not answer within 5000 ms'),
      'TimeoutError: upstream did not answer within <n> ms'
    );
    assert.equal(await classOf('ValidationError: amount must be positive'), 'ValidationError: amount must be positive');
    assert.equal(
      await classOf('NotFound: order 3f2b9c1e-5d7a-4e21-9a0b-1c2d3e4f5a6b is gone (entry 1764172800000-3)'),
      'NotFound: order <id> is gone (entry <id>)'
    );
    assert.equal(await classOf(`KeyError: 'amount' in "order 17"`), `KeyError: '<s>' in "<s>"`);
    assert.equal(
      await classOf('psycopg2.errors.UniqueViolation: key deadbeef42 exists'),
      'psycopg2.errors.UniqueViolation: key <id> exists'
    );
    assert.equal(
      await classOf("ConnectionError: can't reach db\n  at Socket.connect (net.js:1)"),
      "ConnectionError: can't reach db"
    );
    assert.equal(await classOf('   '), '(no reason)');
  });

  test('cuts a long reason to 100 bytes without splitting a character', async () => {
    const cls = await classOf(`Error: ${'é'.repeat(200)}`);
    assert.ok(Buffer.byteLength(cls) <= 100, cls);
    assert.ok(!cls.includes('\ufffd'), 'a character was cut in half');
    assert.match(cls, /^Error: é+$/);
  });
});

describe('groups', () => {
  test('counts each stream, type and class, largest first, with oldest, newest and a sample', async () => {
    const timeouts = await seedReason(ORDERS, 5, 'TimeoutError: no answer within 30 s');
    await seedReason(ORDERS, 2, 'ValidationError: amount must be positive');
    await seedReason(PAYMENTS, 3, 'TimeoutError: no answer within 30 s', 'payment.captured');

    const answer = await groups();
    assert.equal(answer.stale, false);
    assert.equal(answer.total, 10);
    assert.deepEqual(counts(answer), {
      '{events}:orders order.created TimeoutError: no answer within <n> s': 5,
      '{events}:payments payment.captured TimeoutError: no answer within <n> s': 3,
      '{events}:orders order.created ValidationError: amount must be positive': 2,
    });
    const first = answer.groups[0];
    assert.deepEqual([first.oldest.id, first.newest.id, first.sampleId], [timeouts[0], timeouts[4], timeouts[0]]);
    assert.equal(first.sampleReason, 'TimeoutError: no answer within 30 s');
    assert.equal(
      answer.snapshotId,
      (await bed.client.sendCommand<string[][]>(['XREVRANGE', DLQ, '+', '-', 'COUNT', '1']))[0][0]
    );
  });

  test('filters by stream and sums the groups past the limit', async () => {
    await seedReason(ORDERS, 3, 'A: x');
    await seedReason(ORDERS, 2, 'B: x');
    await seedReason(ORDERS, 1, 'C: x');
    await seedReason(PAYMENTS, 4, 'A: x');

    const answer = await groups(`?stream=${encodeURIComponent(ORDERS)}&limit=2`);
    assert.equal(answer.total, 6);
    assert.deepEqual(
      answer.groups.map((g) => [g.failureClass, g.count]),
      [
        ['A: x', 3],
        ['B: x', 2],
      ]
    );
    assert.deepEqual(answer.other, { groups: 1, count: 1 });
  });

  test('stays exact through retries and purges, by IDs and up to an ID', async () => {
    const timeouts = await seedReason(ORDERS, 6, 'TimeoutError: x');
    const invalid = await seedReason(ORDERS, 4, 'ValidationError: y');

    assert.equal((await postMutation(bed.app, 'retry', { ids: timeouts.slice(0, 2) })).statusCode, 200);
    assert.equal((await postMutation(bed.app, 'purge', { confirm: 'purge', ids: [invalid[0]] })).statusCode, 200);
    assert.equal((await postMutation(bed.app, 'retry', { upToId: timeouts[4] })).statusCode, 200);

    const answer = await groups();
    assert.equal(answer.stale, false);
    // The range retry moved timeouts[2..4] and invalid[] is newer than timeouts[4], so it stayed.
    assert.deepEqual(counts(answer), {
      '{events}:orders order.created TimeoutError: x': 1,
      '{events}:orders order.created ValidationError: y': 3,
    });
    assert.equal(answer.groups.find((g) => g.failureClass === 'TimeoutError: x')?.oldest.id, timeouts[5]);

    assert.equal((await postMutation(bed.app, 'purge', { confirm: 'purge', upToId: invalid[3] })).statusCode, 200);
    const empty = await groups();
    assert.deepEqual([empty.total, empty.groups, empty.stale], [0, [], false]);
  });

  test('files what the demo workers dead-letter', async () => {
    await bed.client.sendCommand(['XGROUP', 'CREATE', ORDERS, 'workers', '$', 'MKSTREAM']);
    await bed.client.sendCommand(['XADD', ORDERS, '*', 'type', 'order.created', 'payload', '{}']);
    await bed.client.sendCommand(['XREADGROUP', 'GROUP', 'workers', 'w1', 'COUNT', '1', 'STREAMS', ORDERS, '>']);
    const { runScript } = await import('../src/lua');
    const { KEYS } = await import('../src/redis');
    await runScript(
      bed.client,
      'deadLetter',
      [ORDERS, DLQ, KEYS.counts, KEYS.reasons, KEYS.stats],
      ['workers', 'w1', 0, 1, 10, KEYS.prefix]
    );

    const answer = await groups();
    assert.equal(answer.stale, false);
    assert.deepEqual(counts(answer), {
      '{events}:orders order.created DeliveryLimitExceeded: delivered <n> times without an acknowledgement': 1,
    });
  });
});

describe('entries other producers add or remove', () => {
  test("plain XADDs newer than the index (the platform's consumers) are filed before the answer: exact at once", async () => {
    await seedReason(ORDERS, 2, 'TimeoutError: x');
    for (let i = 0; i < 30; i++) {
      await bed.client.sendCommand([
        'XADD',
        DLQ,
        '*',
        'stream',
        ORDERS,
        'type',
        'order.created',
        'reason',
        `TimeoutError: x`,
        'payload',
        '{}',
      ]);
    }
    await bed.client.sendCommand(['XADD', DLQ, '*', 'stream', PAYMENTS, 'reason', 'Boom: y', 'payload', '{}']);

    const answer = await groups();
    assert.equal(answer.stale, false);
    assert.equal(answer.total, 33);
    assert.deepEqual(counts(answer), {
      '{events}:orders order.created TimeoutError: x': 32,
      '{events}:payments  Boom: y': 1,
    });
  });

  test('a plain XADD older than an entry the service filed since is stale until the repair files it', async () => {
    await bed.client.sendCommand([
      'XADD',
      DLQ,
      '*',
      'stream',
      ORDERS,
      'type',
      'order.created',
      'reason',
      'Early: z',
      'payload',
      '{}',
    ]);
    await seedReason(ORDERS, 2, 'TimeoutError: x');

    assert.equal((await groups()).stale, true);
    assert.deepEqual(counts(await settled()), {
      '{events}:orders order.created TimeoutError: x': 2,
      '{events}:orders order.created Early: z': 1,
    });
  });

  test('XDEL and XTRIM behind the index are unfiled by the repair', async () => {
    const ids = await seedReason(ORDERS, 10, 'TimeoutError: x');
    await bed.client.sendCommand(['XDEL', DLQ, ids[3]]);
    await bed.client.sendCommand(['XTRIM', DLQ, 'MAXLEN', '5']);

    const answer = await settled();
    assert.equal(answer.total, 5);
    assert.deepEqual(counts(answer), { '{events}:orders order.created TimeoutError: x': 5 });
    assert.equal(answer.groups[0].oldest.id, ids[5]);
  });

  test('an XADD and an XDEL that keep the length still show as stale, then exact', async () => {
    const ids = await seedReason(ORDERS, 3, 'TimeoutError: x');
    await bed.client.sendCommand(['XDEL', DLQ, ids[0]]);
    await bed.client.sendCommand([
      'XADD',
      DLQ,
      '*',
      'stream',
      ORDERS,
      'type',
      'order.created',
      'reason',
      'Other: z',
      'payload',
      '{}',
    ]);

    assert.equal((await groups()).stale, true);
    assert.deepEqual(counts(await settled()), {
      '{events}:orders order.created TimeoutError: x': 2,
      '{events}:orders order.created Other: z': 1,
    });
  });

  test('huge entries written by others are filed a bounded slice at a time, with a short class', async () => {
    const huge = `Crash: ${'x'.repeat(3 * 1024 * 1024)}`;
    for (let i = 0; i < 3; i++) {
      await bed.client.sendCommand(['XADD', DLQ, '*', 'stream', ORDERS, 'reason', huge, 'payload', '{}']);
    }
    const { runScript } = await import('../src/lua');
    const { KEYS } = await import('../src/redis');
    const [read, filed, last] = (await runScript(bed.client, 'repairScan', [DLQ], [KEYS.prefix, '-', 500])) as [
      number,
      number,
      string | null,
    ];
    assert.deepEqual([read, filed], [1, 1], 'one call stops after about 1 MiB');
    assert.ok(last);
    const answer = await settled();
    assert.equal(answer.groups[0].count, 3);
    assert.equal(Buffer.byteLength(answer.groups[0].failureClass), 100);
    assert.equal(Buffer.byteLength(answer.groups[0].sampleReason), 300);
  });

  test('a DLQ written before the index existed is filed on first read', async () => {
    await seedReason(ORDERS, 4, 'TimeoutError: x');
    await bed.client.sendCommand(['DEL', '{events}:dlq:index', '{events}:dlq:groups']);
    for (const key of await bed.client.sendCommand<string[]>(['KEYS', '{events}:dlq:group:*'])) {
      await bed.client.sendCommand(['DEL', key]);
    }
    assert.deepEqual(counts(await settled()), { '{events}:orders order.created TimeoutError: x': 4 });
  });

  test('past the group cap, new classes are filed as (other) and still leave cleanly', async () => {
    await bed.client.sendCommand([
      'HSET',
      '{events}:dlq:groups',
      ...Array.from({ length: 1000 }, (_, i) => [`fake${i}`, '{}']).flat(),
    ]);
    const ids = await seedReason(ORDERS, 2, 'Unique: a');
    const answer = await groups('?limit=500');
    assert.ok(answer.groups.some((g) => g.failureClass === '(other)' && g.count === 2));
    assert.equal((await postMutation(bed.app, 'purge', { confirm: 'purge', ids })).statusCode, 200);
    assert.equal(await bed.client.sendCommand(['HGET', '{events}:dlq:index', 'indexed']), '0');
  });
});

describe('the entries of one group', () => {
  interface Page {
    total: number;
    snapshotId: string | null;
    entries: Array<{ id: string; reason: string; payload: string }>;
    nextCursor: string | null;
  }
  const TIMEOUT = 'TimeoutError: upstream did not answer within <n> s';
  const list = async (params: Record<string, string>) => {
    const res = await bed.app.inject({ url: `/api/events/dlq?${new URLSearchParams(params)}`, headers: AUTH });
    return res;
  };
  const page = async (params: Record<string, string>): Promise<Page> => {
    const res = await list(params);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Page>();
  };
  const group = { stream: ORDERS, type: 'order.created', failureClass: TIMEOUT };

  test('pages through exactly the group, oldest first, with its count as the total', async () => {
    const first = await seedReason(ORDERS, 3, 'TimeoutError: upstream did not answer within 30 s');
    await seedReason(ORDERS, 4, 'ValidationError: amount must be positive');
    await seedReason(PAYMENTS, 2, 'TimeoutError: upstream did not answer within 30 s');
    const later = await seedReason(ORDERS, 2, 'TimeoutError: upstream did not answer within 9 s');
    const { snapshotId } = await groups();

    const one = await page({ ...group, limit: '3' });
    assert.deepEqual(
      one.entries.map((e) => e.id),
      first
    );
    assert.equal(one.total, 5);
    assert.equal(one.snapshotId, snapshotId);
    assert.equal(one.nextCursor, first[2]);
    const two = await page({ ...group, limit: '3', after: one.nextCursor! });
    assert.deepEqual(
      two.entries.map((e) => e.id),
      later
    );
    assert.equal(two.nextCursor, null);

    const searched = await page({ ...group, q: '9 s' });
    assert.deepEqual(
      searched.entries.map((e) => e.id),
      later
    );
  });

  test('skips members whose entry another producer deleted, and cuts payloads as the listing does', async () => {
    const ids = await seedReason(ORDERS, 4, 'TimeoutError: upstream did not answer within 30 s');
    await bed.client.sendCommand([
      'XADD',
      DLQ,
      '*',
      'stream',
      ORDERS,
      'type',
      'order.created',
      'reason',
      'TimeoutError: upstream did not answer within 1 s',
      'payload',
      'x'.repeat(100_000),
    ]);
    await groups();
    await bed.client.sendCommand(['XDEL', DLQ, ids[1]]);
    const answer = await page(group);
    assert.deepEqual(answer.entries.map((e) => e.id).slice(0, 3), [ids[0], ids[2], ids[3]]);
    assert.equal(answer.entries.length, 4);
    assert.ok(answer.entries[3].payload.length < 100_000, 'the huge payload came whole');
  });

  test('refuses half a group with 400 naming the missing field', async () => {
    const res = await list({ stream: ORDERS, failureClass: TIMEOUT });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, 'type');
    assert.equal((await list({ type: 'order.created', failureClass: TIMEOUT })).json().field, 'stream');
  });
});

describe('retry and purge by failure group', () => {
  test('a group retry moves its group up to the snapshot and nothing else, arrivals during it included', async () => {
    const timeouts = await seedReason(ORDERS, 450, 'TimeoutError: upstream did not answer within 30 s');
    const invalid = await seedReason(ORDERS, 40, 'ValidationError: amount must be positive');
    const payments = await seedReason(PAYMENTS, 30, 'TimeoutError: upstream did not answer within 30 s');
    const { snapshotId } = await groups();
    const failureClass = 'TimeoutError: upstream did not answer within <n> s';

    const dry = await postMutation(bed.app, 'retry', {
      upToId: snapshotId,
      stream: ORDERS,
      failureClass,
      dryRun: true,
    });
    assert.equal(dry.statusCode, 200, dry.body);
    assert.equal(dry.json().retried, 450, 'the dry run counts the group exactly');

    // Arrivals of the same group while the retry runs: newer than its snapshot, so they stay.
    let arrivals: string[] = [];
    bed.app.runner.onBatch = async () => {
      if (arrivals.length === 0) {
        arrivals = await seedReason(ORDERS, 5, 'TimeoutError: upstream did not answer within 30 s');
      }
    };
    const res = await postMutation(bed.app, 'retry', { upToId: snapshotId, stream: ORDERS, failureClass }).finally(
      () => (bed.app.runner.onBatch = undefined)
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().retried, 450);
    assert.ok(res.json().operationId);

    const dlq = new Set((await bed.client.sendCommand<string[][]>(['XRANGE', DLQ, '-', '+'])).map((e) => e[0]));
    assert.ok(
      timeouts.every((id) => !dlq.has(id)),
      'every entry of the group up to the snapshot moved'
    );
    assert.ok(
      [...invalid, ...payments, ...arrivals].every((id) => dlq.has(id)),
      'nothing else moved'
    );
    assert.equal(arrivals.length, 5);
    assert.equal(Number(await bed.client.sendCommand(['XLEN', ORDERS])), 450);

    const op = (
      await bed.app.inject({ url: `/api/events/dlq/operations/${res.json().operationId}`, headers: AUTH })
    ).json<{
      type: string | null;
      failureClass: string | null;
      stream: string | null;
    }>();
    assert.deepEqual([op.stream, op.type, op.failureClass], [ORDERS, null, failureClass]);
    assert.deepEqual(counts(await groups()), {
      '{events}:orders order.created ValidationError: amount must be positive': 40,
      '{events}:payments order.created TimeoutError: upstream did not answer within <n> s': 30,
      '{events}:orders order.created TimeoutError: upstream did not answer within <n> s': 5,
    });
  });

  test('a class across streams, a type, and a purge of one group', async () => {
    await seedReason(ORDERS, 3, 'Boom: a');
    await seedReason(PAYMENTS, 4, 'Boom: a', 'payment.captured');
    const keep = await seedReason(PAYMENTS, 2, 'Other: b', 'payment.captured');
    const { snapshotId } = await groups();

    const byType = await postMutation(bed.app, 'retry', { upToId: snapshotId, type: 'payment.captured', dryRun: true });
    assert.equal(byType.json().retried, 6);
    const purge = await postMutation(bed.app, 'purge', {
      confirm: 'purge',
      upToId: snapshotId,
      failureClass: 'Boom: a',
    });
    assert.equal(purge.statusCode, 200, purge.body);
    assert.equal(purge.json().purged, 7);
    assert.deepEqual(
      (await bed.client.sendCommand<string[][]>(['XRANGE', DLQ, '-', '+'])).map((e) => e[0]),
      keep
    );
    const none = await postMutation(bed.app, 'retry', { upToId: snapshotId, failureClass: 'No such class' });
    assert.deepEqual([none.statusCode, none.json().retried], [200, 0]);
  });

  test('refused with 409 index_stale while the groups are being repaired, nothing changed', async () => {
    await bed.client.sendCommand(['XADD', DLQ, '*', 'stream', ORDERS, 'reason', 'Early: z', 'payload', '{}']);
    const ids = await seedReason(ORDERS, 3, 'Boom: a');
    const res = await postMutation(bed.app, 'retry', { upToId: ids[2], failureClass: 'Boom: a' });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error, 'index_stale');
    assert.equal(Number(await bed.client.sendCommand(['XLEN', DLQ])), 4);
    await bed.app.store.whenGroupsRepaired();
    const again = await postMutation(bed.app, 'retry', { upToId: ids[2], failureClass: 'Boom: a' });
    assert.deepEqual([again.statusCode, again.json().retried], [200, 3]);
  });
});

describe('metrics', () => {
  test('depth by stream and failure class: the 20 largest by name, the rest summed, and whether the index agrees', async () => {
    for (let k = 0; k < 25; k++) {
      await seedReason(ORDERS, 30 - k, `Error${String.fromCharCode(97 + k)}: failed`);
    }
    const body = (await bed.app.inject({ url: '/metrics' })).body;
    const lines = body.split('\n').filter((l) => l.startsWith('eventbus_dlq_failure_class_entries{'));
    assert.equal(lines.length, 21);
    assert.ok(
      lines.includes('eventbus_dlq_failure_class_entries{stream="{events}:orders",failure_class="Errora: failed"} 30')
    );
    // The five smallest: 10 + 9 + 8 + 7 + 6.
    assert.ok(
      lines.includes('eventbus_dlq_failure_class_entries{stream="{events}:orders",failure_class="(other classes)"} 40'),
      lines.join('\n')
    );
    assert.ok(body.includes('eventbus_dlq_failure_index_stale 0'));

    await bed.client.sendCommand(['XTRIM', DLQ, 'MAXLEN', '10']);
    assert.ok((await bed.app.inject({ url: '/metrics' })).body.includes('eventbus_dlq_failure_index_stale 1'));
  });
});
