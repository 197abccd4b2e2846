import { DEFAULTS, type Config } from '../../config';
import type { RedisClient } from '../../redis';
import { evalshaStats, readyApp, seed, TOKEN, type Out } from './common';

/**
 * Retry throughput: one request retrying `retrySize` entries at each batch size, as a share of the XADD ceiling,
 * with Redis time per script call and per message.
 */
export async function retryThroughput(
  client: RedisClient,
  redisUrl: string,
  ceiling: number,
  retrySize: number,
  out: Out
): Promise<void> {
  for (const batchSize of [100, 500]) {
    await client.sendCommand(['FLUSHALL']);
    const config: Config = {
      ...DEFAULTS,
      token: TOKEN,
      redisUrl,
      batchSize,
      verifyMaxMessages: retrySize,
    };
    const app = await readyApp(config);
    await seed(client, retrySize);
    const newest = await client.sendCommand<Array<[string]>>(['XREVRANGE', DEFAULTS.dlqStream, '+', '-', 'COUNT', '1']);
    await client.sendCommand(['CONFIG', 'RESETSTAT']);
    const t0 = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/events/dlq/retry',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ upToId: newest[0][0] }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const body = res.json<{ retried: number }>();
    const rate = body.retried / seconds;
    const stats = await evalshaStats(client);
    out(
      `retry batch ${batchSize}: ${body.retried} msgs in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} msgs/s (${((rate / ceiling) * 100).toFixed(1)}% of the XADD ceiling); Redis time ${stats.usecPerCall.toFixed(0)} us per script call over ${stats.calls} calls (${(stats.usecPerCall / batchSize).toFixed(1)} us/msg)`
    );
    await app.close();
  }
}
