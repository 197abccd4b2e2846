import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, beforeEach } from 'node:test';

import Ajv, { type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

import { buildApp } from '../src/app';
import { DEFAULTS, type Config } from '../src/config';
import { schema } from '../src/openapi';
import { makeRedisClient, type RedisClient, type StreamEntry } from '../src/redis';
import { freePort, RedisServer, type RedisServerOptions } from '../src/redisServer';
import { seedDlq } from '../src/tools/seed';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };
export const ORDERS = '{events}:orders';
export const PAYMENTS = '{events}:payments';
export const DLQ = '{events}:dlq';

export function testConfig(redisUrl: string, overrides: Partial<Config> = {}): Config {
  return { ...DEFAULTS, token: TOKEN, redisUrl, streams: [ORDERS, PAYMENTS], ...overrides };
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const server = new RedisServer(options);
  await server.start();
  return server;
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10000,
  what: string | (() => string) = 'condition'
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function connectedClient(url: string, disableOfflineQueue = false): Promise<RedisClient> {
  const c = makeRedisClient(url, { disableOfflineQueue });
  await c.connect();
  return c;
}

/** POSTs a retry or purge body to an app in process, with the token, as JSON. */
export function postMutation(app: FastifyInstance, route: 'retry' | 'purge', body: unknown) {
  return app.inject({
    method: 'POST',
    url: `/api/events/dlq/${route}`,
    headers: { ...AUTH, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

export async function makeApp(url: string, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = buildApp(testConfig(url, overrides));
  await app.ready();
  await waitFor(() => app.redis.isReady, 10000, 'app redis client');
  return app;
}

/** An app whose log lines at `level` and above are kept in `lines`, one JSON line each, for tests that read them. */
export async function makeLoggedApp(
  url: string,
  level: 'info' | 'warn',
  overrides: Partial<Config> = {}
): Promise<{ app: FastifyInstance; lines: string[] }> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const app = buildApp(testConfig(url, overrides), { logger: { level, stream } });
  await app.ready();
  await waitFor(() => app.redis.isReady, 10000, 'app redis client');
  return { app, lines };
}

/** Seeds `n` DLQ entries whose payload names a unique message id `<prefix>-<i>`. */
export async function seed(
  client: RedisClient,
  n: number,
  prefix: string,
  origin = ORDERS
): Promise<Array<{ msg: string; dlqId: string }>> {
  const msgs = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const ids = await seedDlq(
    client,
    { dlqStream: DLQ },
    origin,
    msgs.map((m) => JSON.stringify({ msg: m }))
  );
  return msgs.map((msg, i) => ({ msg, dlqId: ids[i] }));
}

export async function scanAll(client: RedisClient, key: string): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  let start = '-';
  for (;;) {
    const got = (await client.sendCommand(['XRANGE', key, start, '+', 'COUNT', '5000'])) as StreamEntry[];
    out.push(...got);
    if (got.length < 5000) {
      return out;
    }
    start = `(${got[got.length - 1][0]}`;
  }
}

function msgOf(entry: StreamEntry): string | null {
  const f = entry[1];
  for (let i = 0; i + 1 < f.length; i += 2) {
    if (f[i] === 'payload') {
      try {
        return (JSON.parse(f[i + 1]) as { msg?: string }).msg ?? null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface Census {
  /** msg id -> number of places it is in (main streams + DLQ). */
  counts: Map<string, number>;
  inDlq: Set<string>;
  inStreams: Set<string>;
}

export async function census(client: RedisClient, keys: string[] = [ORDERS, PAYMENTS, DLQ]): Promise<Census> {
  const counts = new Map<string, number>();
  const inDlq = new Set<string>();
  const inStreams = new Set<string>();
  for (const key of keys) {
    for (const e of await scanAll(client, key)) {
      const m = msgOf(e);
      if (m === null) {
        continue;
      }
      counts.set(m, (counts.get(m) ?? 0) + 1);
      (key === DLQ ? inDlq : inStreams).add(m);
    }
  }
  return { counts, inDlq, inStreams };
}

export interface Verdict {
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

/**
 * The invariant checker: every message the test created is in exactly one place (a main stream or the DLQ), or
 * was purged with an audit record (`purged`). Computed from the test's own record of message ids.
 */
export function check(expected: Iterable<string>, seen: Census, purged: Set<string> = new Set()): Verdict {
  const exp = new Set(expected);
  const lost: string[] = [];
  const duplicated: string[] = [];
  const unexpected: string[] = [];
  for (const m of exp) {
    const n = seen.counts.get(m) ?? 0;
    if (purged.has(m)) {
      if (n !== 0) {
        duplicated.push(m); // purged yet still present: counted as in two places
      }
    } else if (n === 0) {
      lost.push(m);
    } else if (n > 1) {
      duplicated.push(m);
    }
  }
  for (const m of seen.counts.keys()) {
    if (!exp.has(m)) {
      unexpected.push(m);
    }
  }
  for (const m of purged) {
    if (!exp.has(m)) {
      unexpected.push(m);
    }
  }
  return { lost, duplicated, unexpected };
}

/**
 * Fails unless every expected message is in exactly one place, purged ones in none (the invariant of
 * docs/reliability.md), and the failure index files exactly the DLQ's entries. A test that writes to the DLQ behind
 * the service (a plain XADD) passes `{ index: false }`: those entries are filed only by the background repair.
 */
export async function assertExactlyOnce(
  client: RedisClient,
  expected: Iterable<string>,
  purged: Set<string> = new Set(),
  { index = true }: { index?: boolean } = {}
): Promise<void> {
  assert.equal(summary(check(expected, await census(client), purged)), 'lost=0 duplicated=0 unexpected=0');
  if (index) {
    await assertIndexExact(client);
  }
}

/** The failure index (src/lua/failureIndex.ts) files exactly the DLQ's entries and counts them. */
export async function assertIndexExact(client: RedisClient, label = ''): Promise<void> {
  const inDlq = (await scanAll(client, DLQ)).map((e) => e[0]);
  const filed: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.sendCommand<[string, string[]]>([
      'SCAN',
      cursor,
      'MATCH',
      '{events}:dlq:group:*',
      'COUNT',
      '1000',
    ]);
    cursor = next;
    for (const key of keys) {
      for (const member of await client.sendCommand<string[]>(['ZRANGE', key, '0', '-1'])) {
        const [ms, seq] = member.split('-');
        filed.push(`${BigInt(ms)}-${BigInt(seq)}`);
      }
    }
  } while (cursor !== '0');
  const filedSet = new Set(filed);
  const missing = inDlq.filter((id) => !filedSet.has(id)).length;
  const extra = filed.length - (inDlq.length - missing);
  assert.equal(`unfiled=${missing} stale=${extra}`, 'unfiled=0 stale=0', `failure index ${label}`);
  const indexed = await client.sendCommand<string | null>(['HGET', '{events}:dlq:index', 'indexed']);
  assert.equal(Number(indexed ?? 0), inDlq.length, `failure index count ${label}`);
}

export function summary(v: Verdict): string {
  return `lost=${v.lost.length} duplicated=${v.duplicated.length} unexpected=${v.unexpected.length}`;
}

/** Purged DLQ IDs recorded by an operation (its audit record in Redis). */
export async function purgedIdsOf(client: RedisClient, operationId: string): Promise<string[]> {
  return (await client.sendCommand(['LRANGE', `{events}:op:${operationId}:moves`, '0', '-1'])) as string[];
}

/**
 * The naive client-side retry loop (read, XADD, XDEL) that the checker must flag when two operators run it at
 * once. Negative control only; nothing in src/ works this way.
 */
export async function naiveRetry(client: RedisClient, upToId: string): Promise<number> {
  let moved = 0;
  let start = '-';
  for (;;) {
    const got = (await client.sendCommand(['XRANGE', DLQ, start, upToId, 'COUNT', '200'])) as StreamEntry[];
    for (const [id, f] of got) {
      const h: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) {
        h[f[i]] = f[i + 1];
      }
      await client.sendCommand(['XADD', h.stream, '*', 'type', h.type, 'payload', h.payload, 'retryOf', id]);
      await client.sendCommand(['XDEL', DLQ, id]);
      moved++;
    }
    if (got.length < 200) {
      return moved;
    }
    start = `(${got[got.length - 1][0]}`;
  }
}

const schemaAjv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/** Asserts that a response body matches a component schema of openapi.yaml. */
export function assertSchema(name: string, body: unknown): void {
  let v = compiled.get(name);
  if (!v) {
    v = schemaAjv.compile(schema(name));
    compiled.set(name, v);
  }
  if (!v(body)) {
    throw new Error(`response does not match ${name}: ${schemaAjv.errorsText(v.errors)}`);
  }
}

/**
 * The service in a process of its own (src/server.ts through tsx), as in production: on a free port, with the test
 * token and `env` on top, resolved once /livez answers. The caller kills it.
 */
export async function startServerProcess(
  redisUrl: string,
  env: Record<string, string> = {}
): Promise<{ base: string; child: ChildProcess; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'server.ts')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, EVENT_BUS_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      () =>
        fetch(`${base}/livez`).then(
          (r) => r.ok,
          () => false
        ),
      20_000,
      'the server process'
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { base, child, exited };
}

export interface TestBed {
  redis: RedisServer;
  app: FastifyInstance;
  client: RedisClient;
}

/**
 * The usual setup of a suite: a redis-server of its own, a client and the app on it, started before the suite,
 * emptied before each test and stopped after. The fields are set once the suite's `before` has run.
 */
export function redisTestBed(): TestBed {
  const bed = {} as TestBed;
  before(async () => {
    bed.redis = await startRedis();
    bed.client = await connectedClient(bed.redis.url);
    bed.app = await makeApp(bed.redis.url);
  });
  after(async () => {
    await bed.app.close();
    await bed.client.close();
    await bed.redis.destroy();
  });
  beforeEach(async () => {
    await bed.client.sendCommand(['FLUSHALL']);
  });
  return bed;
}
