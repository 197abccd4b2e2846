import { RedisUnavailableError } from './errors';
import { runScript } from './lua';
import { KEYS, pairs, type RedisClient } from './redis';
import { STALLED_AFTER_MS } from './store/operation';
import { command, isoOrNull } from './store/redisReads';

// POST /api/events/dlq/stop: the brake on a redrive. A retry or purge runs batch by batch inside one request, in any
// replica; the request stores its time in Redis (lua/stop.ts) and every operation that started before it stops
// before its next batch (batches.ts), answering with outcome "stopped" and its exact counts.

/**
 * How long a stop request is kept. An operation reads it before each batch, milliseconds apart, so it only has to
 * outlive the longest batch; it is kept far longer because an operation that started before it must still see it,
 * and it never affects an operation started after it.
 */
export const STOP_TTL_SECONDS = 3600;

export interface StoppingOperation {
  operationId: string;
  action: string;
  actor: string;
  startedAt: string;
  retried: number;
  purged: number;
}

export interface StopRequest {
  /** When the stop in force was requested (a repeat while nothing started since gets the same time). */
  stopRequestedAt: string;
  /** False for a repeat that found the previous request already covering every running operation. */
  isNew: boolean;
  /** The retries and purges, in any replica, that were running and stop after their current batch. */
  operations: StoppingOperation[];
}

/** Asks every retry and purge running on this DLQ, in any replica, to stop after its current batch. */
export async function requestStop(client: RedisClient): Promise<StopRequest> {
  if (!client.isReady) {
    throw new RedisUnavailableError('not connected');
  }
  const [at, fresh, ...registered] = (await runScript(
    client,
    'stop',
    [KEYS.stop, KEYS.running],
    [String(STOP_TTL_SECONDS)]
  )) as [string, number, ...string[]];
  const operations: StoppingOperation[] = [];
  for (let i = 0; i + 1 < registered.length; i += 2) {
    const operationId = registered[i];
    const running = await runningOperation(client, operationId);
    if (running) {
      operations.push(running);
    } else {
      // Finished since (its process could not unregister it) or died with its process: nothing to stop.
      await command(client, ['ZREM', KEYS.running, operationId]);
    }
  }
  return {
    stopRequestedAt: new Date(Math.floor(Number(at) / 1000)).toISOString(),
    isNew: Number(fresh) === 1,
    operations,
  };
}

/** The operation's record while it still runs: not finished, and a batch within STALLED_AFTER_MS. */
async function runningOperation(client: RedisClient, operationId: string): Promise<StoppingOperation | null> {
  const h = pairs(await command(client, ['HGETALL', KEYS.op(operationId)]));
  const lastActivity = Math.max(Number(h.startedAt) || 0, Number(h.updatedAt) || 0);
  if (!h.action || h.outcome !== 'running' || Date.now() - lastActivity > STALLED_AFTER_MS) {
    return null;
  }
  return {
    operationId,
    action: h.action,
    actor: h.actor ?? 'unknown',
    startedAt: isoOrNull(h.startedAt) ?? '',
    retried: Number(h.retried ?? 0),
    purged: Number(h.purged ?? 0),
  };
}
