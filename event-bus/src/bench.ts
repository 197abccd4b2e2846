import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

import type { FastifyInstance } from 'fastify';

import { buildApp } from './app';
import { DEFAULTS, type Config } from './config';
import { makeRedisClient, type RedisClient } from './redis';
import { RedisServer } from './redisServer';
import { SHAS } from './scripts';
import { seedConsumerGroups, seedDlq } from './seed';

// `npm run bench`: the figures the README reports, measured in one run on this machine against a throwaway
// redis-server (AOF everysec) on a free loopback port. `--smoke` runs small sizes in well under a minute (CI).

const TOKEN = 'bench-token-0123456789abcdef';
const ORIGIN = '{events}:orders';

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
}

function runRedisBenchmark(port: number, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-n',
      String(n),
      '-P',
      '16',
      '-q',
      'XADD',
      '{events}:bench',
      '*',
      'type',
      'bench',
      'payload',
      '{"msg":"x"}',
    ];
    const proc = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('exit', () => {
      const m =
        /([\d.]+) requests per second/.exec(out.split('\r').pop() ?? out) ?? /([\d.]+) requests per second/.exec(out);
      if (!m) {
        reject(new Error(`could not parse redis-benchmark output: ${out.slice(-200)}`));
        return;
      }
      resolve(Number(m[1]));
    });
  });
}

async function seed(client: RedisClient, n: number): Promise<void> {
  const chunk = 50000;
  for (let i = 0; i < n; i += chunk) {
    const size = Math.min(chunk, n - i);
    await seedDlq(
      client,
      { dlqStream: DEFAULTS.dlqStream },
      ORIGIN,
      Array.from({ length: size }, (_, j) => JSON.stringify({ msg: `b-${i + j}`, amount: j }))
    );
  }
}

async function evalshaStats(client: RedisClient): Promise<{ calls: number; usec: number; usecPerCall: number }> {
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0), usecPerCall: Number(m?.[3] ?? 0) };
}

async function evalStats(client: RedisClient): Promise<{ usecPerCall: number }> {
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  return { usecPerCall: Number(/cmdstat_eval:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? 0) };
}

async function readyApp(config: Config): Promise<FastifyInstance> {
  const app = buildApp(config);
  await app.ready();
  const deadline = Date.now() + 30_000;
  while (!app.redis.isReady) {
    if (Date.now() > deadline) {
      throw new Error(`the service did not connect to Redis at ${config.redisUrl} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return app;
}

/** Times `n` sequential in-process requests, after `warmup` untimed ones (JIT, first collections). */
async function injectTimes(app: FastifyInstance, url: string, n: number, warmup = 10): Promise<number[]> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const times: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const res = await app.inject({ url, headers });
    if (res.statusCode !== 200) {
      throw new Error(`${url}: HTTP ${res.statusCode}`);
    }
    if (i >= warmup) {
      times.push(performance.now() - t0);
    }
  }
  return times;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/**
 * The load test's scenario, timed: an operator's panel polls health every 20 ms while retry-all empties a fresh
 * DLQ of `size` entries, `rounds` times. Redis time is counted over the retries alone (commandstats deltas), and
 * move-script calls over 5 ms from the slow log. References from the same run: health p99 with Redis idle, and one
 * pipelined XADD at the redis-benchmark ceiling.
 */
async function healthUnderRetryAll(
  client: RedisClient,
  redisUrl: string,
  ceiling: number,
  size: number,
  rounds: number,
  out: (line: string) => void
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
          const newest = (await client.sendCommand(['XREVRANGE', DEFAULTS.dlqStream, '+', '-', 'COUNT', '1'])) as Array<
            [string]
          >;
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
    const slow = (await client.sendCommand(['SLOWLOG', 'GET', '100000'])) as unknown[][];
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

/** /metrics with 10 streams of 5 consumer groups each, against /livez (Fastify alone) as the reference. */
async function metricsScrape(
  client: RedisClient,
  redisUrl: string,
  requests: number,
  out: (line: string) => void
): Promise<void> {
  await client.sendCommand(['FLUSHALL']);
  const streams = await seedConsumerGroups(client);
  await seed(client, 1000);
  const app = await readyApp({ ...DEFAULTS, token: TOKEN, redisUrl, streams });
  try {
    const livez = await injectTimes(app, '/livez', requests);
    const metrics = await injectTimes(app, '/metrics', requests);
    out(
      `/metrics, 10 streams x 5 groups: p50 ${ms(pct(metrics, 50))}, p99 ${ms(pct(metrics, 99))} (target < 50 ms; ${(pct(metrics, 99) / pct(livez, 99)).toFixed(1)}x the /livez p99 of ${ms(pct(livez, 99))})  (${requests} requests each, in process)`
    );
  } finally {
    await app.close();
  }
}

/**
 * The hostile-data scenario of the tests, measured: DLQ entries of megabytes (a producer bug) listed by six
 * clients at once, `rounds` pages each, while health is polled every 20 ms. Prints this process's RSS growth (the
 * service runs in it; Redis does not) and health's latency, beside health's idle p99 from the same run.
 */
async function hugePayloadListing(
  client: RedisClient,
  redisUrl: string,
  entries: number,
  mb: [number, number],
  rounds: number,
  out: (line: string) => void
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const smoke = values.smoke;
  const retrySize = smoke ? 20000 : 200000;
  const sizes = smoke ? [1000, 20000] : [1000, 100000, 1000000];
  const requests = smoke ? 100 : 500;
  const xaddN = smoke ? 100000 : 1000000;

  const redis = new RedisServer({ appendfsync: 'everysec' });
  await redis.start();
  const client = makeRedisClient(redis.url, { disableOfflineQueue: false });
  await client.connect();
  const version = /redis_version:([^\r\n]+)/.exec(String(await client.sendCommand(['INFO', 'server'])))?.[1];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`# event-bus benchmark ${smoke ? '(smoke)' : '(full)'} ${new Date().toISOString()}`);
  out(
    `# machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, redis ${version}, AOF everysec`
  );

  try {
    if (values.only === 'huge-payloads') {
      await hugePayloadListing(client, redis.url, smoke ? 4 : 20, smoke ? [1, 2] : [5, 10], smoke ? 1 : 5, out);
      return;
    }
    const ceiling = await runRedisBenchmark(redis.port, xaddN);
    await client.sendCommand(['DEL', '{events}:bench']);
    out(`redis-benchmark XADD -P 16 (${xaddN} ops): ${ceiling.toFixed(0)} ops/s  [machine ceiling]`);

    for (const batchSize of [100, 500]) {
      await client.sendCommand(['FLUSHALL']);
      const config: Config = {
        ...DEFAULTS,
        token: TOKEN,
        redisUrl: redis.url,
        batchSize,
        verifyMaxMessages: retrySize,
      };
      const app = await readyApp(config);
      await seed(client, retrySize);
      const newest = (await client.sendCommand(['XREVRANGE', DEFAULTS.dlqStream, '+', '-', 'COUNT', '1'])) as Array<
        [string]
      >;
      await client.sendCommand(['CONFIG', 'RESETSTAT']);
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/events/dlq/retry',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ upToId: newest[0][0] }),
      });
      const seconds = (performance.now() - t0) / 1000;
      const body = res.json() as { retried: number };
      const rate = body.retried / seconds;
      const stats = await evalshaStats(client);
      out(
        `retry batch ${batchSize}: ${body.retried} msgs in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} msgs/s (${((rate / ceiling) * 100).toFixed(1)}% of the XADD ceiling); Redis time ${stats.usecPerCall.toFixed(0)} us per script call over ${stats.calls} calls (${(stats.usecPerCall / batchSize).toFixed(1)} us/msg)`
      );
      await app.close();
    }

    await healthUnderRetryAll(client, redis.url, ceiling, smoke ? 20000 : 100000, smoke ? 2 : 10, out);
    await metricsScrape(client, redis.url, requests, out);
    await hugePayloadListing(client, redis.url, smoke ? 4 : 20, smoke ? [1, 2] : [5, 10], smoke ? 1 : 5, out);

    await client.sendCommand(['FLUSHALL']);
    // Paging is timed back to back from one client, far past a person's READS_PER_MINUTE.
    const app = buildApp({ ...DEFAULTS, token: TOKEN, redisUrl: redis.url, readsPerMinute: 1_000_000 });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const headers = { authorization: `Bearer ${TOKEN}` };
    let seeded = 0;
    for (const size of sizes) {
      await seed(client, size - seeded);
      seeded = size;
      const middle = (await client.sendCommand([
        'XRANGE',
        DEFAULTS.dlqStream,
        '-',
        '+',
        'COUNT',
        String(Math.floor(size / 2)),
      ])) as Array<[string]>;
      const cursor = middle[middle.length - 1][0];
      const measure = async (path: string) => {
        const samples: number[] = [];
        for (let i = 0; i < requests; i++) {
          const t0 = performance.now();
          const res = await fetch(`${base}${path}`, { headers });
          await res.arrayBuffer();
          samples.push(performance.now() - t0);
          if (res.status !== 200) {
            throw new Error(`${path}: HTTP ${res.status}`);
          }
        }
        return `p50 ${pct(samples, 50).toFixed(2)} ms, p99 ${pct(samples, 99).toFixed(2)} ms`;
      };
      const health = await measure('/api/events/health');
      const first = await measure('/api/events/dlq?limit=50');
      const mid = await measure(`/api/events/dlq?limit=50&after=${cursor}`);
      out(
        `DLQ ${size.toLocaleString('en-US')}: health ${health}; first page of 50 ${first}; middle page of 50 ${mid}  (${requests} requests each, HTTP on loopback)`
      );
    }
    await app.close();
  } finally {
    await client.close();
    await redis.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
