import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { FastifyInstance } from 'fastify';

import type { RedisClient } from '../src/redis';
import type { RedisServer } from '../src/redisServer';
import { SHAS } from '../src/scripts';
import { assertExactlyOnce, AUTH, connectedClient, makeApp, seed, startRedis } from './helpers';

// Load scenarios of RELIABILITY.md, bounded in count and time, loopback only.

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

function p99(samples: number[]): number {
  const s = [...samples].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
}

describe('load', () => {
  test('health at 50 requests/s for 60 s during retry-all of 100,000-entry DLQs: p99 < 100 ms, script calls over 5 ms under 0.5%', async () => {
    const app: FastifyInstance = await makeApp(redis.url);
    try {
      await client.sendCommand(['FLUSHALL']);
      await client.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '5000']);
      await client.sendCommand(['SLOWLOG', 'RESET']);
      await client.sendCommand(['CONFIG', 'SET', 'slowlog-max-len', '100000']);
      await client.sendCommand(['CONFIG', 'RESETSTAT']);
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      const until = Date.now() + 60_000;
      let retries = 0;
      let retried = 0;
      const mover = (async () => {
        // Retry-all, again and again, on a fresh 100,000-entry DLQ, for the whole window (bounded to 30 rounds).
        for (let round = 0; round < 30 && Date.now() < until; round++) {
          await client.sendCommand(['FLUSHDB']);
          const seeded = await seed(client, 100000, `load${round}`);
          const res = await app.inject({
            method: 'POST',
            url: '/api/events/dlq/retry',
            headers: { ...AUTH, 'content-type': 'application/json' },
            payload: JSON.stringify({ upToId: seeded[seeded.length - 1].dlqId }),
          });
          assert.equal(res.statusCode, 200);
          retried += res.json().retried;
          retries++;
          if (round === 0) {
            await assertExactlyOnce(
              client,
              seeded.map((s) => s.msg)
            );
          }
        }
      })();
      const prober = (async () => {
        let next = Date.now();
        while (Date.now() < until) {
          next += 20;
          const t0 = performance.now();
          const res = await app.inject({ url: '/api/events/health', headers: AUTH });
          latencies.push(performance.now() - t0);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const wait = next - Date.now();
          if (wait > 0) {
            await new Promise((r) => setTimeout(r, wait));
          }
        }
      })();
      await Promise.all([mover, prober]);
      const slow = (await client.sendCommand(['SLOWLOG', 'GET', '100000'])) as unknown[][];
      const slowScripts = slow.filter((e) => {
        const args = e[3] as string[];
        return args[0]?.toUpperCase() === 'EVALSHA' && (args[1] === SHAS.moveRange || args[1] === SHAS.moveIds);
      });
      const stats = String(await client.sendCommand(['INFO', 'commandstats']));
      const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
      console.log(
        `# health under retry-all: ${latencies.length} requests, p50 ${latencies.sort((x, y) => x - y)[Math.floor(latencies.length / 2)].toFixed(2)} ms, p99 ${p99(latencies).toFixed(2)} ms; ${retries} retry-all rounds moved ${retried}; EVALSHA ${evalsha?.[3]} us/call, ${slowScripts.length} script calls over 5 ms`
      );
      assert.ok(latencies.length >= 2500, `only ${latencies.length} health requests`);
      assert.equal(statuses.get(200), latencies.length, JSON.stringify([...statuses]));
      assert.ok(p99(latencies) < 100, `health p99 ${p99(latencies)} ms`);
      // On this shared 2-core machine isolated calls of 5-11 ms show up even at batch 100 (page faults as streams
      // grow, scheduler noise; the median is ~1.4 ms at batch 200). The bound asserted is therefore a rate, and
      // the count is printed above; see the README.
      const calls = Number(evalsha?.[1] ?? 0);
      assert.ok(slowScripts.length <= calls * 0.005, `${slowScripts.length} of ${calls} script calls took over 5 ms`);
      assert.ok(Number(evalsha?.[3]) < 2500, `mean Redis time per script call ${evalsha?.[3]} us`);
      assert.ok(retries >= 2);
    } finally {
      await app.close();
    }
  });

  test('/metrics with 10 streams x 5 groups answers under 50 ms', async () => {
    await client.sendCommand(['FLUSHALL']);
    const streams = Array.from({ length: 10 }, (_, i) => `{events}:topic${i}`);
    for (const s of streams) {
      for (let g = 0; g < 5; g++) {
        await client.sendCommand(['XGROUP', 'CREATE', s, `group${g}`, '$', 'MKSTREAM']);
      }
      for (let i = 0; i < 100; i++) {
        await client.sendCommand(['XADD', s, '*', 'type', 't', 'payload', '{}']);
      }
      await client.sendCommand(['XREADGROUP', 'GROUP', 'group0', 'c', 'COUNT', '10', 'STREAMS', s, '>']);
    }
    await seed(client, 1000, 'm');
    const app = await makeApp(redis.url, { streams });
    try {
      const times: number[] = [];
      // Steady state: the first scrapes pay for JIT and prom-client's first collection.
      for (let i = 0; i < 10; i++) {
        await app.inject({ url: '/metrics' });
      }
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        const res = await app.inject({ url: '/metrics' });
        times.push(performance.now() - t0);
        assert.equal(res.statusCode, 200);
        if (i === 0) {
          assert.equal(res.body.match(/^eventbus_stream_group_lag\{/gm)?.length, 50);
          assert.ok(
            res.body.includes('eventbus_stream_group_messages_pending{stream="{events}:topic3",group="group0"} 10')
          );
        }
      }
      console.log(
        `# /metrics 10x5: p50 ${times.sort((x, y) => x - y)[50].toFixed(2)} ms, p99 ${p99(times).toFixed(2)} ms`
      );
      assert.ok(p99(times) < 50, `metrics p99 ${p99(times)} ms`);
    } finally {
      await app.close();
    }
  });
});
