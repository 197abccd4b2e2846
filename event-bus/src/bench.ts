import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

import { buildApp } from './app';
import { DEFAULTS, type Config } from './config';
import { makeRedisClient, type RedisClient } from './redis';
import { RedisServer } from './redisServer';
import { seedDlq } from './seed';

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

async function evalshaStats(client: RedisClient): Promise<{ calls: number; usecPerCall: number }> {
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
  return { calls: Number(m?.[1] ?? 0), usecPerCall: Number(m?.[3] ?? 0) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });
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
      const app = buildApp(config);
      await app.ready();
      while (!app.redis.isReady) {
        await new Promise((r) => setTimeout(r, 10));
      }
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

    await client.sendCommand(['FLUSHALL']);
    const app = buildApp({ ...DEFAULTS, token: TOKEN, redisUrl: redis.url });
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
