import { createClient } from 'redis';

import { HASH_TAG } from './config';

function create(url: string, disableOfflineQueue: boolean) {
  return createClient({
    url,
    // RESP2 keeps raw replies (sendCommand) flat arrays, which the parsing below and the Lua scripts assume.
    RESP: 2,
    disableOfflineQueue,
    socket: {
      connectTimeout: 1000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
}

export type RedisClient = ReturnType<typeof create>;

export interface RedisClientOptions {
  /** Keep commands out of an offline queue so requests during an outage fail fast with 503. */
  disableOfflineQueue?: boolean;
  onError?: (err: Error) => void;
}

/**
 * Creates a client that reconnects on its own with a short capped backoff. It is not connected yet: call
 * `connectInBackground` so a service started while Redis is down stays up and answers health with "down".
 */
export function makeRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const client = create(url, options.disableOfflineQueue ?? true);
  // Without a listener node-redis would throw connection errors as uncaught exceptions.
  client.on('error', options.onError ?? (() => undefined));
  return client;
}

export function connectInBackground(client: RedisClient): void {
  client.connect().catch(() => undefined);
}

export const KEYS = {
  counts: `${HASH_TAG}:dlq:counts`,
  stats: `${HASH_TAG}:stats`,
  reasons: `${HASH_TAG}:reasons`,
  meta: `${HASH_TAG}:meta`,
  prefix: `${HASH_TAG}:`,
  op: (id: string) => `${HASH_TAG}:op:${id}`,
  opMoves: (id: string) => `${HASH_TAG}:op:${id}:moves`,
  /** Set of `<stream> <id>` a recorded retry wrote: the provenance the dead-letter script checks (derives it from
   * the prefix as `op:<id>:retried`) before it counts `refailed`. */
  opRetried: (id: string) => `${HASH_TAG}:op:${id}:retried`,
  idempotency: (digest: string) => `${HASH_TAG}:idem:${digest}`,
  /** The newest stop request, as Redis time in microseconds (src/stop.ts, lua/stop.ts). */
  stop: `${HASH_TAG}:dlq:stop`,
  /** Sorted set of the retries and purges running in any replica, scored by their start (Redis time, microseconds). */
  running: `${HASH_TAG}:dlq:running`,
};

/** Turns a flat [k1, v1, k2, v2] reply into an object. */
export function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) {
      out[String(reply[i])] = reply[i + 1] === null ? '' : String(reply[i + 1]);
    }
  }
  return out;
}

/** A value of an XINFO-style reply: a bulk string, an integer, nil, or a nested reply. */
export type InfoValue = string | number | null | unknown[];

/** Parses XINFO-style replies (flat arrays of name/value) keeping nested values as they are. */
export function infoPairs(reply: unknown): Record<string, InfoValue> {
  const out: Record<string, InfoValue> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) {
      out[String(reply[i])] = reply[i + 1] as InfoValue;
    }
  }
  return out;
}

export type StreamEntry = [string, string[]];
