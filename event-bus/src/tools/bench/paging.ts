import { buildApp } from '../../app';
import { DEFAULTS } from '../../config';
import type { RedisClient } from '../../redis';
import { compareIds } from '../../ids';
import type { GroupsAnswer } from '../../store';
import { pct, seed, TOKEN, type Out } from './common';

/**
 * Health, the first page, a middle page of 50, the failure groups (20 of them) and a middle page of 50 of one group
 * over HTTP on loopback, at each DLQ size: they stay flat.
 */
export async function pagingBySize(
  client: RedisClient,
  redisUrl: string,
  sizes: number[],
  requests: number,
  out: Out
): Promise<void> {
  await client.sendCommand(['FLUSHALL']);
  // Paging is timed back to back from one client, far past a person's READS_PER_MINUTE.
  const app = buildApp({ ...DEFAULTS, token: TOKEN, redisUrl, readsPerMinute: 1_000_000 });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const headers = { authorization: `Bearer ${TOKEN}` };
  let seeded = 0;
  for (const size of sizes) {
    await seed(client, size - seeded);
    seeded = size;
    const middle = await client.sendCommand<Array<[string]>>([
      'XRANGE',
      DEFAULTS.dlqStream,
      '-',
      '+',
      'COUNT',
      String(Math.floor(size / 2)),
    ]);
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
    const groups = await measure('/api/events/dlq/groups');
    // The group whose entries span the DLQ's middle, paged from there.
    const answer = (await (await fetch(`${base}/api/events/dlq/groups`, { headers })).json()) as GroupsAnswer;
    const spanning =
      answer.groups.find((g) => compareIds(g.oldest.id, cursor) <= 0 && compareIds(cursor, g.newest.id) < 0) ??
      answer.groups[0];
    const group = new URLSearchParams({
      limit: '50',
      stream: spanning.stream,
      type: spanning.type,
      failureClass: spanning.failureClass,
      after: cursor,
    });
    const groupPage = await measure(`/api/events/dlq?${group.toString()}`);
    out(
      `DLQ ${size.toLocaleString('en-US')}: health ${health}; first page of 50 ${first}; middle page of 50 ${mid}; failure groups ${groups}; a group's middle page of 50 ${groupPage}  (${requests} requests each, HTTP on loopback)`
    );
  }
  await app.close();
}
