import type { Config } from '../config';
import { RedisUnavailableError } from '../errors';
import { compareIds } from '../ids';
import { runScript } from '../lua';
import { KEYS, type RedisClient } from '../redis';
import type { StoreLog } from './health';

// GET /api/events/dlq/groups: the DLQ by failure group, read from the failure index the add and remove scripts keep
// (lua/failureIndex.ts), so its cost follows the number of groups, not of entries. When other producers wrote to or
// deleted from the DLQ behind the index, the answer says `stale: true` and a repair runs in the background.

/** Entries one repair script reads or checks: a few milliseconds of Redis time, whatever the DLQ holds. */
const REPAIR_BATCH = 500;
/** Rounds of repair before it gives up for this request: other producers may keep writing while it runs. */
const REPAIR_ROUNDS = 3;
/** Entries newer than the index that a read files before it answers; past this, it answers stale and repairs. */
const CATCH_UP_INLINE = 2000;

/** One failure group as the index holds it. */
export interface GroupRow {
  gid: string;
  meta: GroupMeta;
  count: number;
  /** Its oldest and newest members (zero-padded IDs). */
  oldest: string;
  newest: string;
}

export interface IndexState {
  length: number;
  newest: string | null;
  lastAdded: string | null;
  /** The DLQ holds entries newer than the newest filed one: other producers' arrivals. */
  behind: boolean;
  /** The index disagrees with the DLQ: its counts are not exact. */
  stale: boolean;
  /** The groups that hold entries. */
  rows: GroupRow[];
}

/** What a retry or purge of failure groups selects; an absent field matches any value. */
export interface GroupFilter {
  stream?: string;
  type?: string;
  failureClass?: string;
}

export interface GroupsQuery {
  stream?: string;
  limit: number;
}

export interface EntryRef {
  id: string;
  at: string | null;
}

export interface FailureGroup {
  stream: string;
  type: string;
  failureClass: string;
  count: number;
  oldest: EntryRef;
  newest: EntryRef;
  sampleId: string;
  sampleReason: string;
}

export interface GroupsAnswer {
  /** The DLQ's newest ID when the counts were read: what a retry "up to" this answer would be bounded by. */
  snapshotId: string | null;
  /** Entries in the DLQ (of `stream` when given). */
  total: number;
  /** True when the index disagrees with the DLQ (another producer's XADD, XDEL or XTRIM): counts are not exact. */
  stale: boolean;
  groups: FailureGroup[];
  /** The groups past `limit`, summed. */
  other: { groups: number; count: number };
}

export interface GroupMeta {
  stream: string;
  type: string;
  failureClass: string;
  sampleId: string;
  sampleReason: string;
}

/** An index member (`<20 digits>-<20 digits>`) as a stream ID. */
function idOf(member: string): string {
  const [ms, seq] = member.split('-');
  return `${BigInt(ms)}-${BigInt(seq)}`;
}

function refOf(member: string): EntryRef {
  const id = idOf(member);
  const ms = Number(id.split('-')[0]);
  return { id, at: Number.isFinite(ms) ? new Date(ms).toISOString() : null };
}

/**
 * The failure index as it is (READ_GROUPS files nothing), and whether it agrees with the DLQ. The groups reader and
 * the metrics both read it this way.
 */
export async function readIndex(client: RedisClient, dlqStream: string): Promise<IndexState> {
  const reply = (await runScript(client, 'readGroups', [dlqStream], [KEYS.prefix])) as Array<string | number | null>;
  const length = Number(reply[0]);
  const newest = reply[1] ? String(reply[1]) : null;
  const lastAdded = reply[3] ? String(reply[3]) : null;
  const behind = newest !== null && (lastAdded === null || compareIds(newest, lastAdded) > 0);
  const rows: GroupRow[] = [];
  for (let i = 4; i + 4 < reply.length; i += 5) {
    const count = Number(reply[i + 2]);
    if (count > 0) {
      rows.push({
        gid: String(reply[i]),
        meta: JSON.parse(String(reply[i + 1])) as GroupMeta,
        count,
        oldest: String(reply[i + 3]),
        newest: String(reply[i + 4]),
      });
    }
  }
  return { length, newest, lastAdded, behind, stale: length !== Number(reply[2]) || behind, rows };
}

export class GroupReader {
  private repairing: Promise<void> | null = null;

  constructor(
    private readonly client: RedisClient,
    private readonly config: Config,
    private readonly log: StoreLog
  ) {}

  async groups(query: GroupsQuery): Promise<GroupsAnswer> {
    if (!this.client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const reply = await this.current();
    const { length, newest, stale } = reply;
    if (stale) {
      this.repairInBackground();
    }

    const all: FailureGroup[] = reply.rows
      .filter(({ meta }) => !query.stream || meta.stream === query.stream)
      .map(({ meta, count, oldest, newest: last }) => ({
        stream: meta.stream,
        type: meta.type,
        failureClass: meta.failureClass,
        count,
        oldest: refOf(oldest),
        newest: refOf(last),
        sampleId: meta.sampleId,
        sampleReason: meta.sampleReason,
      }));
    all.sort(
      (a, b) => b.count - a.count || a.stream.localeCompare(b.stream) || a.failureClass.localeCompare(b.failureClass)
    );
    const shown = all.slice(0, query.limit);
    const rest = all.slice(query.limit);
    const total = query.stream ? all.reduce((sum, g) => sum + g.count, 0) : length;
    return {
      snapshotId: newest,
      total,
      stale,
      groups: shown,
      other: { groups: rest.length, count: rest.reduce((sum, g) => sum + g.count, 0) },
    };
  }

  /**
   * The IDs of the groups a retry or purge filter selects, read from an index that agrees with the DLQ (arrivals
   * newer than it are filed first); null while it does not, with a repair started.
   */
  async matchingGroups(filter: GroupFilter): Promise<string[] | null> {
    if (!this.client.isReady) {
      throw new RedisUnavailableError('not connected');
    }
    const state = await this.current();
    if (state.stale) {
      this.repairInBackground();
      return null;
    }
    return state.rows
      .filter(
        ({ meta }) =>
          (filter.stream === undefined || meta.stream === filter.stream) &&
          (filter.type === undefined || meta.type === filter.type) &&
          (filter.failureClass === undefined || meta.failureClass === filter.failureClass)
      )
      .map(({ gid }) => gid);
  }

  /** The index as it is once the arrivals newer than it are filed (up to CATCH_UP_INLINE of them). */
  private async current(): Promise<IndexState> {
    const state = await this.read();
    if (state.behind && (await this.catchUp(state.lastAdded, CATCH_UP_INLINE))) {
      return this.read();
    }
    return state;
  }

  private read(): Promise<IndexState> {
    return readIndex(this.client, this.config.dlqStream);
  }

  /**
   * Files the entries newer than the newest filed one: all of them came from other producers (the platform's own
   * consumers dead-letter with a plain XADD), so this keeps the index exact under their steady arrivals at the cost
   * of the arrivals alone. Resolves true when it reached the DLQ's end within `budget` entries.
   */
  private async catchUp(lastAdded: string | null, budget: number): Promise<boolean> {
    let cursor = lastAdded ?? '-';
    let read = 0;
    while (read < budget) {
      const [n, , last] = (await runScript(
        this.client,
        'repairScan',
        [this.config.dlqStream],
        [KEYS.prefix, cursor, Math.min(REPAIR_BATCH, budget - read)]
      )) as [number, number, string | false | null];
      read += Number(n);
      if (!last) {
        return true;
      }
      cursor = last;
    }
    return false;
  }

  /** Resolves when the repair that is running (if any) has finished; for tests and the benchmark. */
  whenRepaired(): Promise<void> {
    return this.repairing ?? Promise.resolve();
  }

  private repairInBackground(): void {
    this.repairing ??= this.repair()
      .catch((err: Error) => this.log.error({ err: { message: err.message } }, 'failure index repair failed'))
      .finally(() => {
        this.repairing = null;
      });
  }

  /**
   * Files what the index lacks, then unfiles what the DLQ no longer holds, in bounded batches. Arrivals newer than
   * the index first; the whole DLQ only when that is not enough (an XDEL or XTRIM, or an XADD older than an entry the
   * service filed since).
   */
  private async repair(): Promise<void> {
    const dlq = this.config.dlqStream;
    for (let round = 0; round < REPAIR_ROUNDS; round++) {
      let state = await this.read();
      if (state.behind) {
        await this.catchUp(state.lastAdded, Infinity);
        state = await this.read();
      }
      if (!state.stale) {
        return;
      }
      await this.catchUp(null, Infinity);
      const groupIds = await this.client.sendCommand<string[]>(['HKEYS', `${KEYS.prefix}dlq:groups`]);
      for (const gid of groupIds) {
        let after: string | false = '';
        while (after !== false) {
          const [, , last] = (await runScript(
            this.client,
            'repairPrune',
            [dlq],
            [KEYS.prefix, gid, after, REPAIR_BATCH]
          )) as [number, number, string | false | null];
          after = last || false;
        }
      }
    }
  }
}
