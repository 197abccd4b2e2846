import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import type { RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import { seedConsumerGroups } from '../src/tools/seed';
import { assertExactlyOnce, AUTH, connectedClient, makeApp, seed, startRedis } from './helpers';

// The load scenarios of docs/reliability.md, as promises that hold on any healthy machine: what is asserted here is
// counted in requests and messages, never in how many the machine gets through per second. How fast it all is
// (health p99 under retry-all, Redis time per move script, /metrics latency) is printed by `npm run bench`,
// against references measured in the same run; see the README.

let redis: RedisServer;
let client: RedisClient;

before(async () => {
  redis = await startRedis();
  client = await connectedClient(redis.url);
});

after(async () => {
  await client.close();
  await redis.destroy();
});

const ROUNDS = 3;
const DLQ_SIZE = 100_000;

describe('load', () => {
  test(`health during ${ROUNDS} retry-alls of ${DLQ_SIZE.toLocaleString('en-US')}-entry DLQs: every answer 200 and never held back until a retry ends; each message moved once`, async () => {
    const app: FastifyInstance = await makeApp(redis.url);
    try {
      await client.sendCommand(['FLUSHALL']);
      const answers: Array<{ status: number; startedAt: number; endedAt: number }> = [];
      const rounds: Array<{ startedAt: number; endedAt: number }> = [];
      let moving = true;
      const mover = (async () => {
        try {
          for (let round = 0; round < ROUNDS; round++) {
            await client.sendCommand(['FLUSHDB']);
            const seeded = await seed(client, DLQ_SIZE, `load${round}`);
            const startedAt = performance.now();
            const res = await app.inject({
              method: 'POST',
              url: '/api/events/dlq/retry',
              headers: { ...AUTH, 'content-type': 'application/json' },
              payload: JSON.stringify({ upToId: seeded[seeded.length - 1].dlqId }),
            });
            rounds.push({ startedAt, endedAt: performance.now() });
            assert.equal(res.statusCode, 200, res.body);
            assert.equal(res.json().retried, DLQ_SIZE);
            await assertExactlyOnce(
              client,
              seeded.map((s) => s.msg)
            );
          }
        } finally {
          moving = false;
        }
      })();
      // An operator's panel polling health, one request every 20 ms, for as long as the retries take.
      const prober = (async () => {
        while (moving) {
          const startedAt = performance.now();
          const res = await app.inject({ url: '/api/events/health', headers: AUTH });
          answers.push({ status: res.statusCode, startedAt, endedAt: performance.now() });
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await Promise.all([mover, prober]);

      const statuses = new Map<number, number>();
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      }
      // Every answer 200: health bounds its own Redis round trip at 1 s (HEALTH_TIMEOUT_MS) and answers 503 past it,
      // so this is also the promise that Redis never stalls health for a second behind a retry.
      assert.deepEqual([...statuses], [[200, answers.length]], 'every health request answered 200');
      // A retry-all is hundreds of move scripts; health that queued behind the whole retry would answer only once
      // it ended. So each retry must see health answers that both started and ended while it ran: two or more,
      // since one probe every 20 ms fits at least twice into any retry of 100,000 entries on a real machine.
      for (const [i, r] of rounds.entries()) {
        const within = answers.filter((a) => a.startedAt >= r.startedAt && a.endedAt <= r.endedAt).length;
        assert.ok(
          within >= 2,
          `retry ${i + 1} (${(r.endedAt - r.startedAt).toFixed(0)} ms): ${within} health answers within it`
        );
      }
      // Liveness, not speed: health bounds its own Redis round trip at 1 s and answers 503 past it, so a slower
      // 200 means the process itself stalled. The bound is 10x what the code allows; the panel gives up at 10 s.
      const slowest = Math.max(...answers.map((a) => a.endedAt - a.startedAt));
      assert.ok(slowest < 10_000, `slowest health answer ${slowest.toFixed(0)} ms`);
      console.log(
        `# health during retry-all: ${answers.length} answers, all 200, slowest ${slowest.toFixed(0)} ms; ${rounds.length} retries of ${DLQ_SIZE} (speed: npm run bench)`
      );
    } finally {
      await app.close();
    }
  });

  test('/metrics with 10 streams x 5 groups reports every group of every stream', async () => {
    await client.sendCommand(['FLUSHALL']);
    const streams = await seedConsumerGroups(client);
    await seed(client, 1000, 'm');
    const app = await makeApp(redis.url, { streams });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await app.inject({ url: '/metrics' });
        assert.equal(res.statusCode, 200);
        assert.equal(res.body.match(/^eventbus_stream_group_lag\{/gm)?.length, 50);
        for (const s of streams) {
          assert.ok(
            res.body.includes(`eventbus_stream_group_messages_pending{stream="${s}",group="group0"} 10`),
            `${s} group0 pending`
          );
        }
        assert.ok(res.body.includes('eventbus_dlq_length{stream="{events}:orders"} 1000'), 'DLQ length by origin');
      }
    } finally {
      await app.close();
    }
  });
});
