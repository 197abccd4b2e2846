import type { Config } from '../config';
import { RedisUnavailableError } from '../errors';
import { runScript } from '../lua';
import { makePayloadView, type PayloadView } from '../payload';
import { KEYS, pairs, type RedisClient, type StreamEntry } from '../redis';
import { command, dlqEnds, isoOrNull } from './redisReads';

// GET /api/events/dlq (the listing) and GET /api/events/dlq/entries/:id (one entry's whole payload). A page is bounded
// by its size and a scan budget. Payloads never cross the wire whole except for one entry on request: a listing gets
// previews cut inside Redis.

/** What one read script may copy inside Redis before it returns (it always reads at least one entry). */
const READ_BUDGET_BYTES = 1024 * 1024;
/** Script calls one page of a failure group may take. */
const GROUP_READ_ROUNDS = 20;

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
  /** With `stream` and `failureClass`: only the entries of that failure group, read through the failure index. */
  type?: string;
  failureClass?: string;
}

/** One failure group: what the index files an entry under. */
export interface GroupKey {
  stream: string;
  type: string;
  failureClass: string;
}

export interface DlqPage {
  total: number;
  snapshotId: string | null;
  entries: DlqEntryView[];
  nextCursor: string | null;
}

export class EntryReader {
  private readonly view: (raw: string) => PayloadView;
  /** The read script last sent: the next waits for it, so Redis never holds more than one in its queue. */
  private lastRead: Promise<void> = Promise.resolve();
  private readonly fullView: (raw: string) => PayloadView;

  constructor(
    private readonly client: RedisClient,
    private readonly config: Config
  ) {
    this.view = makePayloadView(config.redactKeys, config.payloadMaxChars);
    this.fullView = makePayloadView(config.redactKeys, config.payloadFullMaxBytes);
  }

  private cmd(args: string[]): Promise<unknown> {
    return command(this.client, args);
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
    return (await this.inTurn(() => dlqEnds(this.client, this.config.dlqStream)))[1];
  }

  async dlqLength(): Promise<number> {
    return Number(await this.cmd(['XLEN', this.config.dlqStream]));
  }

  async list(query: ListQuery): Promise<DlqPage> {
    if (query.stream !== undefined && query.type !== undefined && query.failureClass !== undefined) {
      return this.listGroup({ stream: query.stream, type: query.type, failureClass: query.failureClass }, query);
    }
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
  /**
   * One page of a failure group's entries, oldest first: the group's sorted set gives the IDs, so the cost follows the
   * page whatever the DLQ holds. `total` is the group's count in the index; entries of other producers not yet filed
   * (the groups read files them) are not listed.
   */
  private async listGroup(group: GroupKey, query: ListQuery): Promise<DlqPage> {
    const needle = query.q?.toLowerCase();
    const matches = (e: StreamEntry) => {
      if (!needle) {
        return true;
      }
      const f = pairs(e[1]);
      return (f.type ?? '').toLowerCase().includes(needle) || (f.reason ?? '').toLowerCase().includes(needle);
    };
    // One more than the page tells whether another exists; a text filter may skip many, within the scan budget.
    let budget = needle ? Math.min(Math.max(query.limit * 20, 1000), 10000) : query.limit + 1;
    const [snapshotId, first] = await Promise.all([
      this.newestDlqId(),
      this.readGroup(group, query.after ?? '', Math.min(500, budget)),
    ]);
    const found: StreamEntry[] = [];
    let read = first;
    // Members whose entry left the DLQ cost a check each: the rounds bound a page of a stale group.
    for (let round = 1; ; round++) {
      budget -= read.entries.length;
      found.push(...read.entries.filter(matches));
      if (found.length > query.limit || !read.more || !read.last || budget <= 0 || round === GROUP_READ_ROUNDS) {
        break;
      }
      read = await this.readGroup(group, read.last, Math.min(500, budget));
    }
    const page = found.slice(0, query.limit).map((e) => this.entryView(e));
    const nextCursor =
      found.length > query.limit ? page[page.length - 1].id : read.more && read.last ? read.last : null;
    return { total: first.total, snapshotId, entries: page, nextCursor };
  }

  /** Up to `count` entries of a failure group after the ID `after` ('' for the first), payloads cut inside Redis. */
  private async readGroup(
    group: GroupKey,
    after: string,
    count: number
  ): Promise<{ entries: StreamEntry[]; more: boolean; last: string | null; total: number }> {
    if (!this.client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const args = [
      KEYS.prefix,
      group.stream,
      group.type,
      group.failureClass,
      after,
      count,
      this.previewBytes,
      READ_BUDGET_BYTES,
    ];
    const [entries, more, last, total] = (await this.inTurn(() =>
      runScript(this.client, 'readGroup', [this.config.dlqStream], args)
    )) as [StreamEntry[], number, string | false | null, number];
    return { entries, more: Number(more) === 1, last: last || null, total: Number(total) };
  }
}
