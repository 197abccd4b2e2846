import type { Config } from '../config';
import { RedisUnavailableError } from '../errors';
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

interface GroupMeta {
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

function isNewer(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am > bm || (am === bm && as > bs);
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
    const reply = (await runScript(this.client, 'readGroups', [this.config.dlqStream], [KEYS.prefix])) as Array<
      string | number | null
    >;
    const [length, newest, indexed, lastAdded] = reply as [number, string | null, number, string | null];
    const behind = Boolean(newest) && (!lastAdded || isNewer(String(newest), String(lastAdded)));
    const stale = Number(length) !== Number(indexed) || behind;
    if (stale) {
      this.repairInBackground();
    }

    const all: FailureGroup[] = [];
    for (let i = 4; i + 4 < reply.length; i += 5) {
      const meta = JSON.parse(String(reply[i + 1])) as GroupMeta;
      const count = Number(reply[i + 2]);
      if (count === 0 || (query.stream && meta.stream !== query.stream)) {
        continue;
      }
      all.push({
        stream: meta.stream,
        type: meta.type,
        failureClass: meta.failureClass,
        count,
        oldest: refOf(String(reply[i + 3])),
        newest: refOf(String(reply[i + 4])),
        sampleId: meta.sampleId,
        sampleReason: meta.sampleReason,
      });
    }
    all.sort(
      (a, b) => b.count - a.count || a.stream.localeCompare(b.stream) || a.failureClass.localeCompare(b.failureClass)
    );
    const shown = all.slice(0, query.limit);
    const rest = all.slice(query.limit);
    const total = query.stream ? all.reduce((sum, g) => sum + g.count, 0) : Number(length);
    return {
      snapshotId: newest ? String(newest) : null,
      total,
      stale,
      groups: shown,
      other: { groups: rest.length, count: rest.reduce((sum, g) => sum + g.count, 0) },
    };
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

  /** Files what the index lacks, then unfiles what the DLQ no longer holds, in bounded batches. */
  private async repair(): Promise<void> {
    const dlq = this.config.dlqStream;
    for (let round = 0; round < REPAIR_ROUNDS; round++) {
      let cursor: string | false = '-';
      while (cursor) {
        const [, , last] = (await runScript(this.client, 'repairScan', [dlq], [KEYS.prefix, cursor, REPAIR_BATCH])) as [
          number,
          number,
          string | false | null,
        ];
        cursor = last || false;
      }
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
      const [length, newest, indexed, lastAdded] = (await runScript(
        this.client,
        'readGroups',
        [dlq],
        [KEYS.prefix]
      )) as [number, string | null, number, string | null];
      const behind = Boolean(newest) && (!lastAdded || isNewer(String(newest), String(lastAdded)));
      if (Number(length) === Number(indexed) && !behind) {
        return;
      }
    }
  }
}
