import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

import { makeRedisClient } from '../redis';
import { RedisServer } from '../redisServer';
import { healthUnderRetryAll } from './bench/healthUnderRetryAll';
import { hugePayloadListing } from './bench/hugePayloads';
import { metricsScrape } from './bench/metricsScrape';
import { pagingBySize } from './bench/paging';
import { runRedisBenchmark } from './bench/redisCeiling';
import { retryThroughput } from './bench/retryThroughput';

// `npm run bench`: the figures the README reports, measured in one run on this machine against a throwaway
// redis-server (AOF everysec) on a free loopback port. `--smoke` runs small sizes in well under a minute (CI);
// `--only paging` or `--only huge-payloads` runs one scenario.
// One module per scenario in bench/; main() runs them in turn.

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
  const version = /redis_version:([^\r\n]+)/.exec(await client.sendCommand<string>(['INFO', 'server']))?.[1];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`# event-bus benchmark ${smoke ? '(smoke)' : '(full)'} ${new Date().toISOString()}`);
  out(
    `# machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, redis ${version}, AOF everysec`
  );

  try {
    if (values.only === 'paging') {
      await pagingBySize(client, redis.url, sizes, requests, out);
      return;
    }
    if (values.only === 'huge-payloads') {
      await hugePayloadListing(client, redis.url, smoke ? 4 : 20, smoke ? [1, 2] : [5, 10], smoke ? 1 : 5, out);
      return;
    }
    const ceiling = await runRedisBenchmark(redis.port, xaddN);
    await client.sendCommand(['DEL', '{events}:bench']);
    out(`redis-benchmark XADD -P 16 (${xaddN} ops): ${ceiling.toFixed(0)} ops/s  [machine ceiling]`);

    await retryThroughput(client, redis.url, ceiling, retrySize, out);
    await healthUnderRetryAll(client, redis.url, ceiling, smoke ? 20000 : 100000, smoke ? 2 : 10, out);
    await metricsScrape(client, redis.url, requests, out);
    await hugePayloadListing(client, redis.url, smoke ? 4 : 20, smoke ? [1, 2] : [5, 10], smoke ? 1 : 5, out);
    await pagingBySize(client, redis.url, sizes, requests, out);
  } finally {
    await client.close();
    await redis.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
