import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Config } from './config';
import { runScript } from './lua';
import { infoPairs, KEYS, pairs, type RedisClient } from './redis';
import { readIndex } from './store/groups';

/** Failure classes exported by name; a bounded number, so an alert can see a new one without unbounded series. */
export const METRIC_CLASSES = 20;

// One registry per app so tests can build several apps in one process. Gauges are filled from Redis at scrape
// time with constant-cost commands; no label carries a message or an ID.

export class Metrics {
  readonly registry = new Registry();
  readonly retried = new Counter({
    name: 'eventbus_dlq_retried_messages_total',
    help: 'DLQ entries moved back to their stream by this process.',
    registers: [this.registry],
  });
  readonly purged = new Counter({
    name: 'eventbus_dlq_purged_messages_total',
    help: 'DLQ entries deleted by this process.',
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'eventbus_dlq_operation_duration_seconds',
    help: 'Duration of retry and purge operations.',
    labelNames: ['operation', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly dlqLength = new Gauge({
    name: 'eventbus_dlq_length',
    help: 'DLQ entries by origin stream.',
    labelNames: ['stream'],
    registers: [this.registry],
  });
  private readonly oldestAge = new Gauge({
    name: 'eventbus_dlq_oldest_entry_age_seconds',
    help: 'Age of the oldest DLQ entry (0 when empty).',
    registers: [this.registry],
  });
  private readonly streamLength = new Gauge({
    name: 'eventbus_stream_length',
    help: 'Entries in each main stream.',
    labelNames: ['stream'],
    registers: [this.registry],
  });
  private readonly groupLag = new Gauge({
    name: 'eventbus_stream_group_lag',
    help: 'Entries not yet delivered to the group (absent when Redis cannot compute it).',
    labelNames: ['stream', 'group'],
    registers: [this.registry],
  });
  private readonly groupPending = new Gauge({
    name: 'eventbus_stream_group_messages_pending',
    help: 'Delivered but unacknowledged entries of the group.',
    labelNames: ['stream', 'group'],
    registers: [this.registry],
  });
  private readonly deadLettered = new Counter({
    name: 'eventbus_dlq_dead_lettered_total',
    help: 'Messages dead-lettered, by origin stream (kept in Redis by the dead-letter script).',
    labelNames: ['stream'],
    registers: [this.registry],
  });
  private readonly failureClassEntries = new Gauge({
    name: 'eventbus_dlq_failure_class_entries',
    help: `DLQ entries by origin stream and failure class (GET /api/events/dlq/groups): the ${METRIC_CLASSES} largest, the rest of each stream as failure_class="(other classes)".`,
    labelNames: ['stream', 'failure_class'],
    registers: [this.registry],
  });
  private readonly failureIndexStale = new Gauge({
    name: 'eventbus_dlq_failure_index_stale',
    help: '1 while the failure groups disagree with the DLQ (entries written or deleted behind the service).',
    registers: [this.registry],
  });
  private readonly redisUp = new Gauge({
    name: 'eventbus_redis_up',
    help: '1 when Redis answered the last scrape.',
    registers: [this.registry],
  });

  constructor(
    private readonly client: RedisClient,
    private readonly config: Config
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  private resetRedisGauges(): void {
    for (const m of [
      this.dlqLength,
      this.oldestAge,
      this.streamLength,
      this.groupLag,
      this.groupPending,
      this.failureClassEntries,
      this.failureIndexStale,
    ]) {
      m.reset();
    }
    this.deadLettered.reset();
  }

  async render(): Promise<string> {
    this.resetRedisGauges();
    try {
      if (!this.client.isReady) {
        throw new Error('offline');
      }
      await this.fill();
      this.redisUp.set(1);
    } catch {
      // Stale values would lie; export only what is known.
      this.resetRedisGauges();
      this.redisUp.set(0);
    }
    return this.registry.metrics();
  }

  private async fill(): Promise<void> {
    const c = this.client;
    const [counts, first, stats] = await Promise.all([
      c.sendCommand(['HGETALL', KEYS.counts]),
      // IDs only: a producer's megabyte payload never crosses the wire for a scrape.
      runScript(c, 'streamEnds', [this.config.dlqStream], []),
      c.sendCommand(['HGETALL', KEYS.stats]),
    ]);
    const byStream = pairs(counts);
    for (const s of this.config.streams) {
      this.dlqLength.set({ stream: s }, Number(byStream[s] ?? 0));
    }
    for (const [s, n] of Object.entries(byStream)) {
      this.dlqLength.set({ stream: s }, Number(n));
    }
    const oldest = (first as [string | null, string | null])[0];
    this.oldestAge.set(oldest ? Math.max(0, (Date.now() - Number(oldest.split('-')[0])) / 1000) : 0);
    for (const [field, n] of Object.entries(pairs(stats))) {
      if (field.startsWith('deadLettered:')) {
        this.deadLettered.inc({ stream: field.slice('deadLettered:'.length) }, Number(n));
      }
    }
    await this.fillFailureClasses();
    await Promise.all(
      this.config.streams.map(async (s) => {
        const [len, groups] = await Promise.all([
          c.sendCommand(['XLEN', s]),
          c.sendCommand(['XINFO', 'GROUPS', s]).catch(() => []),
        ]);
        this.streamLength.set({ stream: s }, Number(len));
        for (const g of groups as unknown[]) {
          const info = infoPairs(g);
          const labels = { stream: s, group: String(info.name) };
          this.groupPending.set(labels, Number(info.pending ?? 0));
          if (info.lag !== null && info.lag !== undefined) {
            this.groupLag.set(labels, Number(info.lag));
          }
        }
      })
    );
  }

  /** From the failure index as it is (a scrape files nothing): counts by stream and class, and whether they agree. */
  private async fillFailureClasses(): Promise<void> {
    const index = await readIndex(this.client, this.config.dlqStream);
    this.failureIndexStale.set(index.stale ? 1 : 0);
    const byClass = new Map<string, { stream: string; failureClass: string; count: number }>();
    for (const { meta, count } of index.rows) {
      if (!meta.stream || meta.failureClass === undefined) {
        continue;
      }
      const key = `${meta.stream}\0${meta.failureClass}`;
      const row = byClass.get(key) ?? { stream: meta.stream, failureClass: meta.failureClass, count: 0 };
      row.count += count;
      byClass.set(key, row);
    }
    const rows = [...byClass.values()].sort((a, b) => b.count - a.count);
    for (const row of rows.slice(0, METRIC_CLASSES)) {
      this.failureClassEntries.set({ stream: row.stream, failure_class: row.failureClass }, row.count);
    }
    for (const row of rows.slice(METRIC_CLASSES)) {
      this.failureClassEntries.inc({ stream: row.stream, failure_class: '(other classes)' }, row.count);
    }
  }
}
