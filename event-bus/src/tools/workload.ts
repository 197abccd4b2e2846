import { runScript } from '../lua';
import { KEYS, makeRedisClient, type RedisClient, type StreamEntry } from '../redis';

// The demo workload: a producer publishing to a few topics and consumer-group workers that fail a configurable
// share of messages, some permanently and some only until an operator retries them. Dead-lettering goes by
// Redis's own delivery count (XPENDING/XAUTOCLAIM) in one script that copies to the DLQ and acknowledges.

export interface WorkloadOptions {
  redisUrl: string;
  streams: string[];
  dlqStream: string;
  deliveryLimit: number;
  /** Messages per second across all streams; 0 publishes nothing. */
  rate: number;
  /** Share of messages that fail (0..1). */
  failShare: number;
  /** Share of failing messages that fail permanently, even after a retry (0..1). */
  permanentShare: number;
  /** A failed message is redelivered after this idle time. */
  minIdleMs: number;
  consumersPerStream: number;
  /** Optional message factory (tests put their own ids in payloads). */
  makePayload?: (n: number, stream: string) => Record<string, unknown>;
  log?: (line: Record<string, unknown>) => void;
}

export interface WorkloadStats {
  published: number;
  processed: number;
  failed: number;
  deadLettered: number;
  recoveredAfterRetry: number;
  /** Deliveries whose acknowledgement found the message already acknowledged: a slow worker's message was claimed
   * by another after the idle time, and both processed it. Redis Streams deliver at least once. */
  duplicateDeliveries: number;
}

const TYPES: Record<string, string[]> = {
  orders: ['order.created', 'order.updated', 'order.cancelled'],
  payments: ['payment.authorised', 'payment.captured'],
  notifications: ['notification.email', 'notification.sms'],
};

const REASONS = {
  permanent: [
    'ValidationError: amount must be positive',
    'SchemaError: missing field customerId',
    'NotFound: product 4411 does not exist',
  ],
  transient: [
    'TimeoutError: inventory service did not answer in 2000 ms',
    'ConnectionError: payment gateway refused the connection',
  ],
};

function topicOf(stream: string): string {
  return stream.slice(stream.indexOf(':') + 1);
}

export function groupOf(stream: string): string {
  return `${topicOf(stream)}-workers`;
}

function pick<T>(list: T[], n: number): T {
  return list[n % list.length];
}

async function ensureGroups(client: RedisClient, streams: string[]): Promise<void> {
  for (const s of streams) {
    try {
      await client.sendCommand(['XGROUP', 'CREATE', s, groupOf(s), '0', 'MKSTREAM']);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) {
        throw err;
      }
    }
  }
}

function fieldsOf(f: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < f.length; i += 2) {
    h[f[i]] = f[i + 1];
  }
  return h;
}

export class Workload {
  readonly stats: WorkloadStats = {
    published: 0,
    processed: 0,
    failed: 0,
    deadLettered: 0,
    recoveredAfterRetry: 0,
    duplicateDeliveries: 0,
  };
  private stopped = false;
  private readonly clients: RedisClient[] = [];
  private loops: Array<Promise<void>> = [];

  constructor(readonly opts: WorkloadOptions) {}

  private async client(): Promise<RedisClient> {
    // Workers block in XREADGROUP, so each gets its own connection; the offline queue is fine here.
    const c = makeRedisClient(this.opts.redisUrl, { disableOfflineQueue: false });
    await c.connect();
    this.clients.push(c);
    return c;
  }

  async start(): Promise<void> {
    const admin = await this.client();
    await ensureGroups(admin, this.opts.streams);
    if (this.opts.rate > 0) {
      this.loops.push(this.produce(admin));
    }
    for (const s of this.opts.streams) {
      for (let i = 0; i < this.opts.consumersPerStream; i++) {
        this.loops.push(this.consume(await this.client(), s, `worker-${i}`));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c.close().catch(() => c.destroy())));
  }

  private async produce(client: RedisClient): Promise<void> {
    const interval = 1000 / this.opts.rate;
    let next = Date.now();
    let n = 0;
    while (!this.stopped) {
      const stream = pick(this.opts.streams, n);
      const fails = Math.random() < this.opts.failShare;
      const fail = fails ? (Math.random() < this.opts.permanentShare ? 'permanent' : 'transient') : null;
      const payload = this.opts.makePayload?.(n, stream) ?? {
        id: `${topicOf(stream)}-${Date.now()}-${n}`,
        amount: Math.round(Math.random() * 10000) / 100,
        customer: { id: `C-${n % 97}`, email: `customer${n % 97}@example.com`, password: 'demo-secret-redacted' },
      };
      await client
        .sendCommand([
          'XADD',
          stream,
          '*',
          'type',
          pick(TYPES[topicOf(stream)] ?? ['event.generic'], n),
          'payload',
          JSON.stringify({ ...payload, demo: { fail } }),
        ])
        .then(() => this.stats.published++)
        .catch((err: Error) => this.opts.log?.({ level: 'warn', msg: 'publish failed', error: err.message }));
      n++;
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      } else if (wait < -1000) {
        next = Date.now();
      }
    }
  }

  private async consume(client: RedisClient, stream: string, consumer: string): Promise<void> {
    const group = groupOf(stream);
    const reasonsKey = KEYS.reasons;
    while (!this.stopped) {
      try {
        const res = (await runScript(
          client,
          'deadLetter',
          [stream, this.opts.dlqStream, KEYS.counts, reasonsKey, KEYS.stats],
          [group, consumer, this.opts.minIdleMs, this.opts.deliveryLimit, 100, KEYS.prefix]
        )) as [number, number, Array<StreamEntry | null>];
        this.stats.deadLettered += Number(res[0]);
        const claimed = (res[2] ?? []).filter((e): e is StreamEntry => Array.isArray(e));
        await this.handle(client, stream, group, claimed, true);
        const read = await client.sendCommand<Array<[string, StreamEntry[]]> | null>([
          'XREADGROUP',
          'GROUP',
          group,
          consumer,
          'COUNT',
          '50',
          'BLOCK',
          '200',
          'STREAMS',
          stream,
          '>',
        ]);
        await this.handle(client, stream, group, read?.[0]?.[1] ?? [], false);
      } catch (err) {
        this.opts.log?.({ level: 'warn', msg: 'worker error', stream, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async handle(
    client: RedisClient,
    stream: string,
    group: string,
    entries: StreamEntry[],
    redelivered: boolean
  ): Promise<void> {
    for (const [id, f] of entries) {
      const h = fieldsOf(f);
      let fail: string | null = null;
      try {
        fail = (JSON.parse(h.payload ?? '{}') as { demo?: { fail?: string | null } }).demo?.fail ?? null;
      } catch {
        fail = 'permanent';
      }
      const isRetry = Boolean(h.retryOf);
      if (fail === 'permanent' || (fail === 'transient' && !isRetry)) {
        // Not acknowledged: Redis counts the next delivery; the reason waits for the dead-letter script.
        this.stats.failed++;
        const reason = pick(
          fail === 'permanent' ? REASONS.permanent : REASONS.transient,
          id.length + (redelivered ? 1 : 0)
        );
        await client.sendCommand(['HSET', KEYS.reasons, `${stream} ${id}`, reason]);
        continue;
      }
      if (Number(await client.sendCommand(['XACK', stream, group, id])) === 0) {
        this.stats.duplicateDeliveries++;
        continue;
      }
      if (redelivered) {
        await client.sendCommand(['HDEL', KEYS.reasons, `${stream} ${id}`]);
      }
      this.stats.processed++;
      if (isRetry && fail === 'transient') {
        this.stats.recoveredAfterRetry++;
      }
    }
  }
}
