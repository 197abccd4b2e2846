import { RedisUnavailableError } from '../errors';
import { runScript } from '../lua';
import type { RedisClient } from '../redis';

// What the readers of this folder share: commands that fail at once while a connection is down, and reads that keep
// payloads inside Redis.

/** Sends a command, or fails with RedisUnavailableError at once while the connection is down. */
export function command(client: RedisClient, args: string[]): Promise<unknown> {
  if (!client.isReady) {
    return Promise.reject(new RedisUnavailableError('not connected'));
  }
  return client.sendCommand(args);
}

/** The oldest and newest IDs of the DLQ, without reading their payloads out of Redis. */
export async function dlqEnds(client: RedisClient, dlqStream: string): Promise<[string | null, string | null]> {
  if (!client.isReady) {
    throw new RedisUnavailableError('not connected');
  }
  const [first, last] = (await runScript(client, 'streamEnds', [dlqStream], [])) as [string | null, string | null];
  return [first || null, last || null];
}

export function isoOrNull(ms: string | undefined): string | null {
  const n = Number(ms);
  return ms && Number.isFinite(n) ? new Date(n).toISOString() : null;
}

export function isNoSuchKey(err: unknown): boolean {
  return err instanceof Error && /no such key/i.test(err.message);
}
