import type { Config } from '../config';
import { compareIds } from '../ids';
import { infoPairs, KEYS, pairs, type RedisClient } from '../redis';
import { command, isNoSuchKey, isoOrNull } from './redisReads';

// GET /api/events/dlq/operations/:operationId: the record a retry or purge keeps in Redis (each batch script updates
// it), and for a recorded retry how many of its messages the consumer groups have not processed yet.

/** A running operation writes its record at every batch (milliseconds apart); silence this long means it died. */
export const STALLED_AFTER_MS = 30_000;

export interface OperationView {
  operationId: string;
  action: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string;
  upToId: string | null;
  stream: string | null;
  /** The failure filter the operation ran with, if any. */
  type: string | null;
  failureClass: string | null;
  retried: number;
  purged: number;
  skipped: number;
  /** Retried messages that came back to the DLQ, each counted once; null for a retry too large to be recorded. */
  refailed: number | null;
  pending: number | null;
}

/** The failure filter an operation recorded (JSON, empty without one); a record it cannot read counts as none. */
function parseFilter(raw: string | undefined): { type?: string; failureClass?: string } {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

export class OperationReader {
  constructor(
    private readonly client: RedisClient,
    private readonly config: Config
  ) {}

  private cmd(args: string[]): Promise<unknown> {
    return command(this.client, args);
  }

  async operation(operationId: string): Promise<OperationView | null> {
    const h = pairs(await this.cmd(['HGETALL', KEYS.op(operationId)]));
    if (!h.action) {
      return null;
    }
    const filter = parseFilter(h.filter);
    const view: OperationView = {
      operationId,
      action: h.action,
      actor: h.actor ?? 'unknown',
      startedAt: isoOrNull(h.startedAt) ?? '',
      finishedAt: isoOrNull(h.finishedAt),
      outcome: h.outcome ?? 'running',
      upToId: h.upToId || null,
      stream: h.stream || null,
      type: filter.type ?? null,
      failureClass: filter.failureClass ?? null,
      retried: Number(h.retried ?? 0),
      purged: Number(h.purged ?? 0),
      skipped: Number(h.skipped ?? 0),
      // Only a recorded retry keeps the set of messages it wrote, the provenance the dead-letter script checks
      // before counting; for any other retry a count could not be told from one forged by another producer.
      // A purge retries nothing: 0.
      refailed: h.action === 'retry' && h.recorded !== '1' ? null : Number(h.refailed ?? 0),
      pending: null,
    };
    // A "running" record whose batches stopped long ago belongs to a process or a Redis that died mid-way; the
    // honest answer is "unknown" (re-read the DLQ and repeat), not "running" forever.
    const lastActivity = Math.max(Number(h.startedAt) || 0, Number(h.updatedAt) || 0);
    if (view.outcome === 'running' && Date.now() - lastActivity > STALLED_AFTER_MS) {
      view.outcome = 'unknown';
    }
    if (h.action === 'retry' && h.recorded === '1') {
      view.pending = await this.pendingOf(operationId);
    }
    return view;
  }

  /**
   * Counts the operation's retried messages that some consumer group of their stream has not processed yet:
   * not delivered (ID after the group's last-delivered-id) or delivered but not acknowledged (in its PEL).
   */
  private async pendingOf(operationId: string): Promise<number | null> {
    const total = Number(await this.cmd(['LLEN', KEYS.opMoves(operationId)]));
    if (total > this.config.verifyMaxMessages) {
      return null;
    }
    const byStream = new Map<string, string[]>();
    for (let i = 0; i < total; i += 10000) {
      const chunk = (await this.cmd(['LRANGE', KEYS.opMoves(operationId), String(i), String(i + 9999)])) as string[];
      for (const item of chunk) {
        const [stream, id] = item.split(' ');
        const list = byStream.get(stream) ?? [];
        list.push(id);
        byStream.set(stream, list);
      }
    }
    let pending = 0;
    for (const [stream, ids] of byStream) {
      ids.sort(compareIds);
      const groupsReply = (await this.cmd(['XINFO', 'GROUPS', stream]).catch((err) => {
        if (isNoSuchKey(err)) {
          return [];
        }
        throw err;
      })) as unknown[];
      if (groupsReply.length === 0) {
        // Nobody consumes this stream: every retried message still waits.
        pending += ids.length;
        continue;
      }
      const waiting = new Set<string>();
      for (const g of groupsReply) {
        const info = infoPairs(g);
        const lastDelivered = String(info['last-delivered-id'] ?? '0-0');
        const pel = (await this.cmd([
          'XPENDING',
          stream,
          String(info.name),
          ids[0],
          ids[ids.length - 1],
          String(this.config.verifyMaxMessages + 1),
        ])) as unknown[][];
        const inPel = new Set(pel.map((p) => String(p[0])));
        for (const id of ids) {
          if (inPel.has(id) || compareIds(id, lastDelivered) > 0) {
            waiting.add(id);
          }
        }
      }
      pending += waiting.size;
    }
    return pending;
  }
}
