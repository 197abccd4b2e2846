import type { Config } from './config';
import { compareIds } from './ids';
import { HealthReadings, ReadingTimeout } from './healthReadings';
import { makePayloadView, type PayloadView } from './payload';
import { infoPairs, KEYS, pairs, type RedisClient, type StreamEntry } from './redis';
import { runScript } from './scripts';

// Read side of the API: health, the DLQ listing and operation lookup. Every read here costs the same whatever
// the DLQ or stream size (XLEN, first/last entry, XINFO GROUPS, counters kept by the scripts), except listing a
// page, which is bounded by the page size and a scan budget. Payloads never cross the wire whole except for one
// entry on request: a listing gets previews cut inside Redis, and health takes only IDs out of Redis. Health runs on
// a connection of its own, so it never waits behind a listing's replies, and while Redis is busy it answers from its
// newest reading (see healthReadings.ts).

export class RedisUnavailableError extends Error {}

/** What one read script may copy inside Redis before it returns (it always reads at least one entry). */
const READ_BUDGET_BYTES = 1024 * 1024;
/** A running operation writes its record at every batch (milliseconds apart); silence this long means it died. */
export const STALLED_AFTER_MS = 30_000;

export interface GroupHealth {
  group: string;
  consumers: number;
  pending: number;
  lag: number | null;
  lastDeliveredId: string;
  pendingPayloadDeleted: boolean;
}

export interface StreamHealth {
  stream: string;
  exists: boolean;
  length: number;
  groups: GroupHealth[];
}

export interface HealthBody {
  status: 'ok' | 'degraded' | 'down';
  checkedAt: string;
  reasons: string[];
  redis: { up: boolean; latencyMs: number | null; version: string | null; dataLossDetectedAt: string | null };
  dlq?: {
    stream: string;
    length: number;
    oldestId: string | null;
    newestId: string | null;
    oldestAgeSeconds: number | null;
    byStream: Record<string, number>;
  };
  streams?: StreamHealth[];
}

export interface DlqEntryView extends PayloadView {
  /** The whole payload's size in bytes, however much of it is shown. */
  payloadBytes: number;
  id: string;
  stream: string;
  originalId: string;
  type: string;
  reason: string;
  attempts: number;
  deadLetteredAt: string | null;
  retryOf: string | null;
  retryOperationId: string | null;
}

export interface ListQuery {
  limit: number;
  after?: string;
  stream?: string;
  q?: string;
}

export interface OperationView {
  operationId: string;
  action: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string;
  upToId: string | null;
  stream: string | null;
  retried: number;
  purged: number;
  skipped: number;
  /** Retried messages that came back to the DLQ, each counted once; null for a retry too large to be recorded. */
  refailed: number | null;
  pending: number | null;
}

function idMs(id: string | null): number | null {
  if (!id) {
    return null;
  }
  return Number(id.split('-')[0]);
}

function isoOrNull(ms: string | undefined): string | null {
  const n = Number(ms);
  return ms && Number.isFinite(n) ? new Date(n).toISOString() : null;
}

function isNoSuchKey(err: unknown): boolean {
  return err instanceof Error && /no such key/i.test(err.message);
}

export class Store {
  private readonly view: (raw: string) => PayloadView;
  /** The read script last sent: the next waits for it, so Redis never holds more than one in its queue. */
  private lastRead: Promise<void> = Promise.resolve();
  private readonly fullView: (raw: string) => PayloadView;
  private version: string | null = null;
  private seenMeta = false;
  private readonly readings = new HealthReadings((startedAt) => this.healthUp(new Date(startedAt).toISOString()));

  /**
   * @param client the connection for listings, lookups and the data-loss check.
   * @param probe the connection for health alone, so it never queues behind a listing's replies.
   */
  constructor(
    private readonly client: RedisClient,
    private readonly config: Config,
    private readonly log: { error: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void },
    private readonly probe: RedisClient = client
  ) {
    this.view = makePayloadView(config.redactKeys, config.payloadMaxChars);
    this.fullView = makePayloadView(config.redactKeys, config.payloadFullMaxBytes);
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  private cmd(args: string[], client = this.client): Promise<unknown> {
    if (!client.isReady) {
      return Promise.reject(new RedisUnavailableError('not connected'));
    }
    return client.sendCommand(args);
  }

  private probeCmd(args: string[]): Promise<unknown> {
    return this.cmd(args, this.probe);
  }

  /**
   * Runs a read that copies whole entries inside Redis after the previous one. The chain keeps the order, never the
   * reply (a full read can be megabytes) or its error.
   */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const call = this.lastRead.then(work);
    this.lastRead = call.then(
      () => undefined,
      () => undefined
    );
    return call;
  }

  /** The oldest and newest DLQ IDs, without reading their payloads out of Redis. */
  private async dlqEnds(client: RedisClient): Promise<[string | null, string | null]> {
    if (!client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const [first, last] = (await runScript(client, 'streamEnds', [this.config.dlqStream], [])) as [
      string | null,
      string | null,
    ];
    return [first || null, last || null];
  }

  /**
   * Up to `count` DLQ entries from `start` ('-', an ID, or '(' and an ID), each payload cut to `previewBytes` inside
   * Redis, in as many bounded script calls as it takes.
   */
  private async readDlq(start: string, count: number, previewBytes: number): Promise<StreamEntry[]> {
    if (!this.client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const out: StreamEntry[] = [];
    let from = start;
    while (out.length < count) {
      // Redis runs one command at a time, and copying one entry of 10 MB takes it about 100 ms. Sent one at a time
      // across all listings, health (on its own connection) waits behind one such call at most, never four.
      const args = [from, count - out.length, previewBytes, READ_BUDGET_BYTES];
      const [got, more] = (await this.inTurn(() =>
        runScript(this.client, 'readDlq', [this.config.dlqStream], args)
      )) as [StreamEntry[], number];
      out.push(...got);
      if (Number(more) !== 1 || got.length === 0) {
        break;
      }
      from = `(${got[got.length - 1][0]}`;
    }
    return out;
  }

  /** Bytes of a preview: enough for `payloadMaxChars` characters of any UTF-8 text. */
  private get previewBytes(): number {
    return this.config.payloadMaxChars * 4;
  }

  /**
   * Called on every (re)connect. A marker hash written at first contact disappears when Redis restarts without
   * persistence; if this process saw the marker before, the DLQ was lost and health must say so.
   */
  async checkDataLoss(): Promise<void> {
    const meta = pairs(await this.cmd(['HGETALL', KEYS.meta]));
    const info = String(await this.cmd(['INFO', 'server']));
    this.version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? null;
    const runId = /run_id:([^\r\n]+)/.exec(info)?.[1] ?? '';
    const now = String(Date.now());
    if (!meta.createdAt) {
      const fields = ['createdAt', now, 'runId', runId];
      if (this.seenMeta) {
        fields.push('dataLossDetectedAt', now);
        this.log.error(
          { runId },
          'Redis came back without its data (restarted without persistence?): the DLQ and consumer groups were lost'
        );
      }
      await this.cmd(['HSET', KEYS.meta, ...fields]);
    } else if (meta.runId !== runId) {
      await this.cmd(['HSET', KEYS.meta, 'runId', runId]);
    }
    this.seenMeta = true;
  }

  async health(): Promise<{ statusCode: number; body: HealthBody }> {
    const checkedAt = new Date().toISOString();
    const down = (reason: string): { statusCode: number; body: HealthBody } => ({
      statusCode: 503,
      body: {
        status: 'down',
        checkedAt,
        reasons: [reason],
        redis: { up: false, latencyMs: null, version: this.version, dataLossDetectedAt: null },
      },
    });
    if (!this.probe.isReady || !this.client.isReady) {
      // Either connection down means listings or retries fail: health must not say "ok" meanwhile.
      return down('Redis is not reachable at the configured REDIS_URL.');
    }
    try {
      return await this.readings.get();
    } catch (err) {
      if (err instanceof ReadingTimeout || err instanceof RedisUnavailableError || !this.probe.isReady) {
        return down('Redis did not answer within 1 s.');
      }
      // Any other Redis error (OOM, LOADING, ...) is still "Redis does not answer usefully".
      this.log.error({ err: { message: (err as Error).message } }, 'health check failed');
      return down('Redis answered with an error; see the service log.');
    }
  }

  /** After a retry or purge: the next health answer reads Redis again, so it shows what changed. */
  invalidateHealth(): void {
    this.readings.invalidate();
  }

  private async healthUp(checkedAt: string): Promise<{ statusCode: number; body: HealthBody }> {
    const dlq = this.config.dlqStream;
    const t0 = performance.now();
    await this.probeCmd(['PING']);
    const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const [length, [oldestId, newestId], counts, meta] = await Promise.all([
      this.probeCmd(['XLEN', dlq]),
      this.dlqEnds(this.probe),
      this.probeCmd(['HGETALL', KEYS.counts]),
      this.probeCmd(['HGETALL', KEYS.meta]),
    ]);
    const streams = await Promise.all(this.config.streams.map((s) => this.streamHealth(s)));
    const oldestMs = idMs(oldestId);
    const oldestAgeSeconds = oldestMs === null ? null : Math.max(0, Math.round((Date.now() - oldestMs) / 1000));
    const byStream: Record<string, number> = {};
    for (const [k, v] of Object.entries(pairs(counts))) {
      byStream[k] = Number(v);
    }
    const m = pairs(meta);
    const lossMs = Number(m.dataLossDetectedAt);
    const dataLossDetectedAt =
      m.dataLossDetectedAt && Date.now() - lossMs < this.config.dataLossWarnSeconds * 1000
        ? new Date(lossMs).toISOString()
        : null;

    const reasons: string[] = [];
    const len = Number(length);
    if (dataLossDetectedAt) {
      reasons.push(`Redis lost its data at ${dataLossDetectedAt} (restart without persistence): the DLQ was reset.`);
    }
    if (len > this.config.dlqDegradedLength) {
      reasons.push(`The DLQ holds ${len} entries (threshold ${this.config.dlqDegradedLength}).`);
    }
    if (this.config.dlqDegradedAgeSeconds > 0 && (oldestAgeSeconds ?? 0) > this.config.dlqDegradedAgeSeconds) {
      reasons.push(`The oldest DLQ entry is ${oldestAgeSeconds} s old.`);
    }
    for (const s of streams) {
      for (const g of s.groups) {
        if (g.lag !== null && g.lag > this.config.groupLagDegraded) {
          reasons.push(`Group ${g.group} on ${s.stream} lags by ${g.lag} entries.`);
        }
        if (g.pendingPayloadDeleted) {
          reasons.push(`Group ${g.group} on ${s.stream} has pending entries whose payload was deleted.`);
        }
      }
    }
    return {
      statusCode: 200,
      body: {
        status: reasons.length > 0 ? 'degraded' : 'ok',
        checkedAt,
        reasons,
        redis: { up: true, latencyMs, version: this.version, dataLossDetectedAt },
        dlq: { stream: dlq, length: len, oldestId, newestId, oldestAgeSeconds, byStream },
        streams,
      },
    };
  }

  private async streamHealth(stream: string): Promise<StreamHealth> {
    const [length, groupsReply] = await Promise.all([
      this.probeCmd(['XLEN', stream]),
      this.probeCmd(['XINFO', 'GROUPS', stream]).catch((err) => {
        if (isNoSuchKey(err)) {
          return null;
        }
        throw err;
      }),
    ]);
    if (groupsReply === null) {
      return { stream, exists: false, length: 0, groups: [] };
    }
    const groups = await Promise.all(
      (groupsReply as unknown[]).map(async (g) => {
        const info = infoPairs(g);
        const pending = Number(info.pending ?? 0);
        let pendingPayloadDeleted = false;
        if (pending > 0) {
          // The oldest pending entry is the one most likely to have been trimmed or deleted; one probe keeps the
          // cost constant.
          const oldest = (await this.probeCmd(['XPENDING', stream, String(info.name), '-', '+', '1'])) as unknown[][];
          const id = oldest[0]?.[0];
          if (typeof id === 'string') {
            const found = await runScript(this.probe, 'entryExists', [stream], [id]);
            pendingPayloadDeleted = Number(found) === 0;
          }
        }
        return {
          group: String(info.name),
          consumers: Number(info.consumers ?? 0),
          pending,
          lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
          lastDeliveredId: String(info['last-delivered-id'] ?? '0-0'),
          pendingPayloadDeleted,
        };
      })
    );
    return { stream, exists: true, length: Number(length), groups };
  }

  private entryView(entry: StreamEntry, view = this.view): DlqEntryView {
    const f = pairs(entry[1]);
    const raw = f.payload ?? '';
    const payloadBytes = f.payloadBytes === undefined ? Buffer.byteLength(raw) : Number(f.payloadBytes);
    const shown = view(raw);
    return {
      id: entry[0],
      stream: f.stream ?? '',
      originalId: f.originalId ?? '',
      type: f.type ?? '',
      reason: f.reason ?? '',
      attempts: Number.isFinite(Number(f.attempts)) ? Number(f.attempts) : 0,
      deadLetteredAt: isoOrNull(f.deadLetteredAt),
      payload: shown.payload,
      // Cut inside Redis is cut, even when the preview is short (redaction can shorten it).
      payloadTruncated: shown.payloadTruncated || payloadBytes > Buffer.byteLength(raw),
      payloadBytes,
      retryOf: f.retryOf || null,
      retryOperationId: f.retryOp || null,
    };
  }

  /**
   * One DLQ entry with its payload as whole as `payloadFullMaxBytes` allows (redacted), for an operator who asked
   * to see it; null when the DLQ no longer holds it.
   */
  async entry(id: string): Promise<DlqEntryView | null> {
    const [found] = await this.readDlq(id, 1, this.config.payloadFullMaxBytes);
    return found && found[0] === id ? this.entryView(found, this.fullView) : null;
  }

  /** The newest DLQ ID, read in turn with the listings' scripts (it copies the newest entry inside Redis). */
  async newestDlqId(): Promise<string | null> {
    return (await this.inTurn(() => this.dlqEnds(this.client)))[1];
  }

  async dlqLength(): Promise<number> {
    return Number(await this.cmd(['XLEN', this.config.dlqStream]));
  }

  async list(query: ListQuery): Promise<{
    total: number;
    snapshotId: string | null;
    entries: DlqEntryView[];
    nextCursor: string | null;
  }> {
    const dlq = this.config.dlqStream;
    const [snapshotId, total] = await Promise.all([
      this.newestDlqId(),
      query.stream ? this.cmd(['HGET', KEYS.counts, query.stream]) : this.cmd(['XLEN', dlq]),
    ]);
    const entries: DlqEntryView[] = [];
    let start = query.after ? `(${query.after}` : '-';
    const filtered = Boolean(query.stream || query.q);
    if (!filtered) {
      // One extra entry tells whether another page exists.
      const got = await this.readDlq(start, query.limit + 1, this.previewBytes);
      const page = got.slice(0, query.limit).map((e) => this.entryView(e));
      const nextCursor = got.length > query.limit ? page[page.length - 1].id : null;
      return { total: Number(total ?? 0), snapshotId, entries: page, nextCursor };
    }
    const needle = query.q?.toLowerCase();
    // Filters may skip many entries; the scan budget bounds the cost of one request, and the cursor lets the
    // panel continue where this page stopped.
    let budget = Math.min(Math.max(query.limit * 20, 1000), 10000);
    let nextCursor: string | null = null;
    while (budget > 0) {
      const chunk = Math.min(500, budget);
      const got = await this.readDlq(start, chunk, this.previewBytes);
      budget -= got.length;
      let stoppedAt: string | null = null;
      for (const e of got) {
        const f = pairs(e[1]);
        const matches =
          (!query.stream || f.stream === query.stream) &&
          (!needle || (f.type ?? '').toLowerCase().includes(needle) || (f.reason ?? '').toLowerCase().includes(needle));
        if (matches) {
          entries.push(this.entryView(e));
          if (entries.length === query.limit) {
            stoppedAt = e[0];
            break;
          }
        }
      }
      if (stoppedAt) {
        nextCursor = stoppedAt;
        break;
      }
      if (got.length < chunk) {
        nextCursor = null;
        break;
      }
      start = `(${got[got.length - 1][0]}`;
      nextCursor = got[got.length - 1][0];
    }
    return { total: Number(total ?? 0), snapshotId, entries, nextCursor };
  }

  async operation(operationId: string): Promise<OperationView | null> {
    const h = pairs(await this.cmd(['HGETALL', KEYS.op(operationId)]));
    if (!h.action) {
      return null;
    }
    const view: OperationView = {
      operationId,
      action: h.action,
      actor: h.actor ?? 'unknown',
      startedAt: isoOrNull(h.startedAt) ?? '',
      finishedAt: isoOrNull(h.finishedAt),
      outcome: h.outcome ?? 'running',
      upToId: h.upToId || null,
      stream: h.stream || null,
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
