import type { Config } from '../config';
import { runScript } from '../lua';
import { KEYS, type RedisClient } from '../redis';

/**
 * Adds `payloads.length` entries to the DLQ as if dead-lettered from `origin`, 500 per script call.
 * Used by the demo's --seed option, the tests and the benchmark. Returns the new DLQ IDs in order.
 */
export async function seedDlq(
  client: RedisClient,
  config: Pick<Config, 'dlqStream'>,
  origin: string,
  payloads: string[],
  opts: { type?: string; reason?: string; attempts?: number } = {}
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < payloads.length; i += 500) {
    const got = (await runScript(
      client,
      'seed',
      [config.dlqStream, KEYS.counts, KEYS.stats],
      [
        origin,
        opts.type ?? 'order.created',
        opts.reason ?? 'ValidationError: amount must be positive',
        opts.attempts ?? 5,
        KEYS.prefix,
        ...payloads.slice(i, i + 500),
      ]
    )) as string[];
    ids.push(...got);
  }
  return ids;
}

/**
 * `streams` event streams of 100 entries, each read by `groups` consumer groups, the first of which has 10 entries
 * delivered and pending: what /metrics reports per stream and group. Used by the load test and the benchmark.
 * Returns the stream keys.
 */
export async function seedConsumerGroups(client: RedisClient, streams = 10, groups = 5): Promise<string[]> {
  const keys = Array.from({ length: streams }, (_, i) => `{events}:topic${i}`);
  for (const key of keys) {
    for (let g = 0; g < groups; g++) {
      await client.sendCommand(['XGROUP', 'CREATE', key, `group${g}`, '$', 'MKSTREAM']);
    }
    for (let i = 0; i < 100; i++) {
      await client.sendCommand(['XADD', key, '*', 'type', 't', 'payload', '{}']);
    }
    await client.sendCommand(['XREADGROUP', 'GROUP', 'group0', 'c', 'COUNT', '10', 'STREAMS', key, '>']);
  }
  return keys;
}
