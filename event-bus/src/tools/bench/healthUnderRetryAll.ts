import { DEFAULTS } from '../../config';
import { SHAS } from '../../lua';
import type { RedisClient } from '../../redis';
import { evalshaStats, injectTimes, ms, pct, readyApp, seed, TOKEN, type Out } from './common';

/**
 * The load test's scenario, timed: an operator's panel polls health every 20 ms while retry-all empties a fresh
 * DLQ of `size` entries, `rounds` times. Redis time is counted over the retries alone (commandstats deltas), and
 * move-script calls over 5 ms from the slow log. References from the same run: health p99 with Redis idle, and one
 * pipelined XADD at the redis-benchmark ceiling.
 */
export async function healthUnderRetryAll(
  client: RedisClient,
  redisUrl: string,
  ceiling: number,
  size: number,
  rounds: number,
  out: Out
): Promise<void> {
  await client.sendCommand(['FLUSHALL']);
  const app = await readyApp({ ...DEFAULTS, token: TOKEN, redisUrl, verifyMaxMessages: size });
  try {
    const idle = await injectTimes(app, '/api/events/health', 500);
    await client.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '5000']);
    await client.sendCommand(['CONFIG', 'SET', 'slowlog-max-len', '100000']);
    await client.sendCommand(['SLOWLOG', 'RESET']);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let scriptCalls = 0;
    let scriptUsec = 0;
    let retrySeconds = 0;
    let moving = true;
    let retrying = false;
    const mover = (async () => {
      try {
        for (let round = 0; round < rounds; round++) {
          await client.sendCommand(['FLUSHDB']);
          await seed(client, size);
          const newest = await client.sendCommand<Array<[string]>>([
            'XREVRANGE',
            DEFAULTS.dlqStream,
            '+',
            '-',
            'COUNT',
            '1',
          ]);
          const before = await evalshaStats(client);
          const t0 = performance.now();
          retrying = true;
          const res = await app.inject({
            method: 'POST',
            url: '/api/events/dlq/retry',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            payload: JSON.stringify({ upToId: newest[0][0] }),
          });
          retrying = false;
          retrySeconds += (performance.now() - t0) / 1000;
          if (res.statusCode !== 200) {
            throw new Error(`retry-all: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
          }
          const afterStats = await evalshaStats(client);
          scriptCalls += afterStats.calls - before.calls;
          scriptUsec += afterStats.usec - before.usec;
        }
      } finally {
        moving = false;
      }
    })();
    const prober = (async () => {
      let next = performance.now();
      while (moving) {
        next += 20;
        const t0 = performance.now();
        const during = retrying;
        const res = await app.inject({ url: '/api/events/health', headers: { authorization: `Bearer ${TOKEN}` } });
        if (during) {
          latencies.push(performance.now() - t0);
        }
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const wait = next - performance.now();
        if (wait > 0) {
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    })();
    await Promise.all([mover, prober]);
    const slow = await client.sendCommand<unknown[][]>(['SLOWLOG', 'GET', '100000']);
    const slowScripts = slow.filter((e) => {
      const args = e[3] as string[];
      return args[0]?.toUpperCase() === 'EVALSHA' && (args[1] === SHAS.moveRange || args[1] === SHAS.moveIds);
    }).length;
    const perCall = scriptUsec / Math.max(1, scriptCalls);
    const perMsg = scriptUsec / (size * rounds);
    const xaddUsec = 1e6 / ceiling;
    const answered = [...statuses].map(([code, n]) => `${n} x ${code}`).join(', ');
    out(
      `health every 20 ms during ${rounds} retry-alls of ${size.toLocaleString('en-US')} (batch ${DEFAULTS.batchSize}): ${latencies.length} requests started while a retry ran, ${(latencies.length / retrySeconds).toFixed(1)}/s of 50/s asked (all requests: ${answered}); p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))} (target < 100 ms; ${(pct(latencies, 99) / pct(idle, 99)).toFixed(1)}x the idle p99 of ${ms(pct(idle, 99))})`
    );
    out(
      `move scripts during those retries: ${scriptCalls} calls in ${retrySeconds.toFixed(1)} s, Redis time ${perCall.toFixed(0)} us per call (target < 2,500 us), ${perMsg.toFixed(1)} us/msg = ${(perMsg / xaddUsec).toFixed(1)}x one pipelined XADD (${xaddUsec.toFixed(1)} us); ${slowScripts} calls over 5 ms = ${((slowScripts / Math.max(1, scriptCalls)) * 100).toFixed(2)}% (target <= 0.5%)`
    );
  } finally {
    await app.close();
  }
}
