import { DEFAULTS } from '../../config';
import type { RedisClient } from '../../redis';
import { seedConsumerGroups } from '../seed';
import { injectTimes, ms, pct, readyApp, seed, TOKEN, type Out } from './common';

/** /metrics with 10 streams of 5 consumer groups each, against /livez (Fastify alone) as the reference. */
export async function metricsScrape(client: RedisClient, redisUrl: string, requests: number, out: Out): Promise<void> {
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
