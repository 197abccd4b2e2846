import { DEFAULTS } from '../../config';
import type { RedisClient } from '../../redis';
import { evalStats, injectTimes, ms, ORIGIN, pct, readyApp, TOKEN, type Out } from './common';

/**
 * The hostile-data scenario of the tests, measured: DLQ entries of megabytes (a producer bug) listed by six
 * clients at once, `rounds` pages each, while health is polled every 20 ms. Prints this process's RSS growth (the
 * service runs in it; Redis does not) and health's latency, beside health's idle p99 from the same run.
 */
export async function hugePayloadListing(
  client: RedisClient,
  redisUrl: string,
  entries: number,
  mb: [number, number],
  rounds: number,
  out: Out
): Promise<void> {
  await client.sendCommand(['FLUSHALL']);
  for (let i = 0; i < entries; i++) {
    const size = Math.round((mb[0] + ((mb[1] - mb[0]) * i) / Math.max(1, entries - 1)) * 1024 * 1024);
    const payload = JSON.stringify({ n: i, password: 'x', blob: 'b'.repeat(size) });
    await client.sendCommand(['XADD', DEFAULTS.dlqStream, '*', 'stream', ORIGIN, 'type', 't', 'payload', payload]);
  }
  await client.sendCommand(['CONFIG', 'RESETSTAT']);
  await client.sendCommand([
    'EVAL',
    "return #redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)",
    '1',
    DEFAULTS.dlqStream,
  ]);
  const copyUs = (await evalStats(client)).usecPerCall;
  const app = await readyApp({ ...DEFAULTS, token: TOKEN, redisUrl });
  const headers = { authorization: `Bearer ${TOKEN}` };
  try {
    const idle = await injectTimes(app, '/api/events/health', 200);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let listing = true;
    const health: number[] = [];
    const healthStatus = new Map<number, number>();
    const poll = (async () => {
      while (listing) {
        const t0 = performance.now();
        const res = await app.inject({ url: '/api/events/health', headers });
        health.push(performance.now() - t0);
        healthStatus.set(res.statusCode, (healthStatus.get(res.statusCode) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const pages: number[] = [];
    const listStatus = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = 0; i < rounds; i++) {
          const t0 = performance.now();
          const res = await app.inject({ url: '/api/events/dlq?limit=500', headers });
          listStatus.set(res.statusCode, (listStatus.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode === 200) {
            pages.push(performance.now() - t0);
          }
        }
      })
    );
    listing = false;
    await poll;
    clearInterval(sampler);
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    const counts = (m: Map<number, number>) => [...m].map(([code, n]) => `${n} x ${code}`).join(', ');
    out(
      `huge payloads: ${entries} entries of ${mb[0]}-${mb[1]} MB, 6 clients x ${rounds} pages of 500: RSS ${mib(before)} -> peak ${mib(peak)} (growth ${mib(peak - before)}; goal under 64 MiB); pages ${counts(listStatus)} (429: past the 4-listing limit), p50 ${ms(pct(pages, 50))}`
    );
    out(
      `  health during it: ${health.length} answers (${counts(healthStatus)}), p50 ${ms(pct(health, 50))}, p99 ${ms(pct(health, 99))}, max ${ms(Math.max(...health))} (goal: all 200, p99 under 100 ms); idle health p99 ${ms(pct(idle, 99))}; Redis time to copy the largest entry once inside a script ${ms(copyUs / 1000)} (same run)`
    );
  } finally {
    await app.close();
  }
}
