import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../app';
import { DEFAULTS, type Config } from '../../config';
import type { RedisClient } from '../../redis';
import { seedDlq } from '../seed';

// What the benchmark's scenarios share: the token, the origin stream, percentiles, seeding, Redis's own timings and
// in-process request timing.

export const TOKEN = 'bench-token-0123456789abcdef';
export const ORIGIN = '{events}:orders';

/** Where a scenario prints its lines. */
export type Out = (line: string) => void;

export function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
}

/** Failure reasons the seeded entries cycle through: 20 failure groups, as a DLQ with a few kinds of failure has. */
const REASONS = Array.from({ length: 20 }, (_, k) => `Error${k}: request ${k} failed after 3000 ms`);

export async function seed(client: RedisClient, n: number): Promise<void> {
  const chunk = 5000;
  for (let i = 0; i < n; i += chunk) {
    const size = Math.min(chunk, n - i);
    await seedDlq(
      client,
      { dlqStream: DEFAULTS.dlqStream },
      ORIGIN,
      Array.from({ length: size }, (_, j) => JSON.stringify({ msg: `b-${i + j}`, amount: j })),
      { reason: REASONS[(i / chunk) % REASONS.length] }
    );
  }
}

export async function evalshaStats(client: RedisClient): Promise<{ calls: number; usec: number; usecPerCall: number }> {
  const stats = await client.sendCommand<string>(['INFO', 'commandstats']);
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0), usecPerCall: Number(m?.[3] ?? 0) };
}

export async function evalStats(client: RedisClient): Promise<{ usecPerCall: number }> {
  const stats = await client.sendCommand<string>(['INFO', 'commandstats']);
  return { usecPerCall: Number(/cmdstat_eval:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? 0) };
}

export async function readyApp(config: Config): Promise<FastifyInstance> {
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
export async function injectTimes(app: FastifyInstance, url: string, n: number, warmup = 10): Promise<number[]> {
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

export const ms = (v: number) => `${v.toFixed(2)} ms`;
