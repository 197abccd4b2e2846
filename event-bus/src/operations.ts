import { randomBytes } from 'node:crypto';

import { ErrorReply } from 'redis';

import type { Config } from './config';
import { RedisUnavailableError } from './errors';
import { type BatchRun, moveByGroups, moveByIds, moveByRange } from './batches';
import { compareIds } from './ids';
import { runScript } from './lua';
import { KEYS, type RedisClient } from './redis';

export type Action = 'retry' | 'purge';

export interface MutationRequest {
  action: Action;
  actor: string;
  ids?: string[];
  upToId?: string;
  stream?: string;
  /** A failure filter (with upToId): the operation walks these failure groups only. */
  type?: string;
  failureClass?: string;
  /** The IDs of the groups the filter selects (GroupReader.matchingGroups); set with a failure filter. */
  groups?: string[];
  max?: number;
  dryRun?: boolean;
}

/**
 * `partial`: the service shut down mid-way; `stopped`: an operator asked for a stop (POST /api/events/dlq/stop,
 * src/stop.ts). Both stop between batches, so the counts are exact.
 */
export type Outcome = 'ok' | 'unknown' | 'partial' | 'stopped';

export interface MutationResult {
  operationId: string;
  outcome: Outcome;
  /** Entries moved (retry) or deleted (purge); with dryRun, entries that would be. */
  done: number;
  skipped: number;
  /** Entries a retry left in the DLQ because no retry can move them, and the first of them with the reason. */
  invalid: number;
  invalidEntries: Array<{ id: string; why: string; stream: string }>;
  /** Redis answered with an error (a script error, out of memory), as opposed to not answering. */
  redisErrorReply?: boolean;
  remaining: number | null;
  upToId: string | null;
  batches: number;
  durationMs: number;
  error?: string;
}

export class ConflictError extends Error {}

/** How many invalid entries an answer lists by ID; `invalid` counts them all. */
export const INVALID_REPORTED = 20;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULID-style: time-ordered, so operation IDs sort by start time in logs. */
export function newOperationId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join('');
  return `op_${time}${rand}`;
}

/**
 * Runs retries and purges batch by batch. One mutation at a time per process (409 otherwise); a second replica
 * running concurrently is still safe because every batch is defined by DLQ state, not by a client-side list.
 */
export class OperationRunner {
  private active: Promise<unknown> | null = null;
  private stopping = false;
  /** Test hook: called after each batch with the running totals. */
  onBatch?: (done: number) => void | Promise<void>;

  constructor(
    private readonly client: RedisClient,
    private readonly config: Config
  ) {}

  get isBusy(): boolean {
    return this.active !== null;
  }

  /** Stops after the current batch; resolves when no mutation runs any more. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.active?.catch(() => undefined);
  }

  async run(req: MutationRequest): Promise<MutationResult> {
    if (req.dryRun) {
      return this.execute(req);
    }
    if (this.active) {
      throw new ConflictError('another operation is running');
    }
    const p = this.execute(req);
    this.active = p;
    try {
      return await p;
    } finally {
      this.active = null;
    }
  }

  private cmd(args: string[]): Promise<unknown> {
    if (!this.client.isReady) {
      return Promise.reject(new RedisUnavailableError('not connected'));
    }
    return this.client.sendCommand(args);
  }

  /**
   * Registers a writing operation with the replicas' stop requests and returns how it learns of one: a stop
   * requested after this start (the stop key is later than it, lua/stop.ts), read before each batch.
   */
  private async register(operationId: string, ttl: string): Promise<() => Promise<boolean>> {
    if (!this.client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const startedUs = Number(await runScript(this.client, 'opStart', [KEYS.running, KEYS.stop], [operationId, ttl]));
    return async () => {
      const requested = await this.cmd(['GET', KEYS.stop]);
      return requested !== null && Number(requested) > startedUs;
    };
  }

  private async execute(req: MutationRequest): Promise<MutationResult> {
    const started = Date.now();
    const t0 = performance.now();
    const operationId = newOperationId(started);
    // A dry run counts what the action would take: for a retry, only the entries a retry can move ('check').
    const mode = req.dryRun ? (req.action === 'retry' ? 'check' : 'count') : req.action;
    const writes = !req.dryRun;
    const dlq = this.config.dlqStream;
    const result: MutationResult = {
      operationId,
      outcome: 'ok',
      done: 0,
      skipped: 0,
      invalid: 0,
      invalidEntries: [],
      remaining: null,
      upToId: null,
      batches: 0,
      durationMs: 0,
    };
    const opKey = KEYS.op(operationId);
    const movesKey = KEYS.opMoves(operationId);
    const retriedKey = KEYS.opRetried(operationId);
    const ttl = String(this.config.operationTtlSeconds);
    try {
      let record = false;
      if (req.upToId !== undefined) {
        // Clamp to the newest entry present now: anything dead-lettered from here on gets a larger ID, so the
        // operation covers what the operator saw and never a later arrival, even if upToId was generous.
        const newest = (await this.cmd(['XREVRANGE', dlq, '+', '-', 'COUNT', '1'])) as Array<[string, string[]]>;
        const newestId = newest[0]?.[0] ?? null;
        result.upToId = newestId === null ? null : compareIds(req.upToId, newestId) <= 0 ? req.upToId : newestId;
        const expected = Math.min(req.max ?? Infinity, Number(await this.cmd(['XLEN', dlq])));
        record = expected <= this.config.verifyMaxMessages;
      } else {
        record = true;
      }
      if (writes) {
        await this.cmd([
          'HSET',
          opKey,
          'action',
          req.action,
          'actor',
          req.actor,
          'startedAt',
          String(started),
          'outcome',
          'running',
          'upToId',
          result.upToId ?? '',
          'stream',
          req.stream ?? '',
          // The failure filter, as JSON: a type of '' (entries without one) differs from no type filter.
          'filter',
          req.groups ? JSON.stringify({ type: req.type, failureClass: req.failureClass }) : '',
          'recorded',
          record ? '1' : '0',
          'retried',
          '0',
          'purged',
          '0',
          // Counted by the dead-letter script only for messages in the retried set, which only a recorded retry
          // writes; verify reports null for an unrecorded retry.
          'refailed',
          '0',
        ]);
        await this.cmd(['EXPIRE', opKey, ttl]);
      }
      // A dry run changes nothing, so there is nothing to brake: it is not registered and never stops on request.
      const stopRequested = writes ? await this.register(operationId, ttl) : async () => false;
      const run: BatchRun = {
        client: this.client,
        batchSize: this.config.batchSize,
        keys: [dlq, KEYS.counts, movesKey, opKey, retriedKey],
        args: { mode, operationId, flag: record ? '1' : '0', ttl, streams: this.config.streams.join(',') },
        result,
        isStopping: () => this.stopping,
        stopRequested,
        onBatch: this.onBatch,
      };
      if (req.ids) {
        await moveByIds(run, req.ids);
      } else if (req.groups && result.upToId !== null) {
        await moveByGroups(run, req.groups, result.upToId, req.max ?? Infinity);
      } else if (result.upToId !== null) {
        await moveByRange(run, result.upToId, req.stream ?? '', req.max ?? Infinity);
      }
      result.remaining = Number(await this.cmd(['XLEN', dlq]));
      if (writes) {
        await this.cmd([
          'HSET',
          opKey,
          'outcome',
          result.outcome,
          'finishedAt',
          String(Date.now()),
          'skipped',
          String(result.skipped),
        ]);
        await this.cmd(['ZREM', KEYS.running, operationId]);
      }
    } catch (err) {
      // The connection dropped or Redis failed mid-operation: the counts are what completed batches reported;
      // the batch in flight may or may not have been applied. Repeating is safe by construction.
      result.outcome = 'unknown';
      result.error = err instanceof Error ? err.message : String(err);
      result.redisErrorReply = err instanceof ErrorReply;
      if (writes && this.client.isReady) {
        await this.cmd(['HSET', opKey, 'outcome', 'unknown', 'finishedAt', String(Date.now())])
          .then(() => this.cmd(['ZREM', KEYS.running, operationId]))
          .catch(() => undefined);
      }
    }
    result.durationMs = Math.round((performance.now() - t0) * 10) / 10;
    return result;
  }
}
