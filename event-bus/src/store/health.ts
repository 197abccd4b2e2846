import type { Config } from '../config';
import { RedisUnavailableError } from '../errors';
import { HealthReadings, ReadingTimeout } from './healthReadings';
import { runScript } from '../lua';
import { infoPairs, KEYS, pairs, type RedisClient } from '../redis';
import { command, dlqEnds, isNoSuchKey } from './redisReads';

// GET /api/events/health and the data-loss check behind it. Every read here costs the same whatever the DLQ or
// stream size (XLEN, first/last entry IDs, XINFO GROUPS, counters kept by the scripts) and takes only IDs out of
// Redis. Health runs on a connection of its own, so it never waits behind a listing's replies, and while Redis is
// busy it answers from its newest reading (see healthReadings.ts).

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

export interface StoreLog {
  error: (obj: object, msg: string) => void;
  info: (obj: object, msg: string) => void;
}

function idMs(id: string | null): number | null {
  if (!id) {
    return null;
  }
  return Number(id.split('-')[0]);
}

export class HealthReader {
  private version: string | null = null;
  private seenMeta = false;
  private readonly readings = new HealthReadings((startedAt) => this.healthUp(new Date(startedAt).toISOString()));

  /**
   * @param client the main connection, for the data-loss check (and whose state health reports).
   * @param probe the connection for health alone, so it never queues behind a listing's replies.
   */
  constructor(
    private readonly client: RedisClient,
    private readonly probe: RedisClient,
    private readonly config: Config,
    private readonly log: StoreLog
  ) {}

  private cmd(args: string[]): Promise<unknown> {
    return command(this.client, args);
  }

  private probeCmd(args: string[]): Promise<unknown> {
    return command(this.probe, args);
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
  invalidate(): void {
    this.readings.invalidate();
  }

  private async healthUp(checkedAt: string): Promise<{ statusCode: number; body: HealthBody }> {
    const dlq = this.config.dlqStream;
    const t0 = performance.now();
    await this.probeCmd(['PING']);
    const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const [length, [oldestId, newestId], counts, meta] = await Promise.all([
      this.probeCmd(['XLEN', dlq]),
      dlqEnds(this.probe, dlq),
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
}
