import type { Config } from '../config';
import type { RedisClient } from '../redis';
import { EntryReader, type DlqEntryView, type DlqPage, type ListQuery } from './entries';
import { GroupReader, type GroupFilter, type GroupsAnswer, type GroupsQuery } from './groups';
import { HealthReader, type HealthBody, type StoreLog } from './health';
import { OperationReader, type OperationView } from './operation';

// Read side of the API, one reader per kind of read: health and the data-loss check (health.ts), the DLQ listing and
// one entry's payload (entries.ts), the failure groups (groups.ts), and operation lookup (operation.ts). The routes reach them through this one
// object (`app.store`).

export type { DlqEntryView, DlqPage, ListQuery } from './entries';
export type { FailureGroup, GroupFilter, GroupsAnswer, GroupsQuery } from './groups';
export type { GroupHealth, HealthBody, StoreLog, StreamHealth } from './health';
export { STALLED_AFTER_MS, type OperationView } from './operation';

export class Store {
  private readonly healthReader: HealthReader;
  private readonly entries: EntryReader;
  private readonly operations: OperationReader;
  private readonly failureGroups: GroupReader;

  /**
   * @param client the connection for listings, lookups and the data-loss check.
   * @param probe the connection for health alone, so it never queues behind a listing's replies.
   */
  constructor(
    private readonly client: RedisClient,
    config: Config,
    log: StoreLog,
    probe: RedisClient = client
  ) {
    this.healthReader = new HealthReader(client, probe, config, log);
    this.entries = new EntryReader(client, config);
    this.operations = new OperationReader(client, config);
    this.failureGroups = new GroupReader(client, config, log);
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  /** See HealthReader.checkDataLoss: called on every (re)connect. */
  checkDataLoss(): Promise<void> {
    return this.healthReader.checkDataLoss();
  }

  health(): Promise<{ statusCode: number; body: HealthBody }> {
    return this.healthReader.health();
  }

  /** After a retry or purge: the next health answer reads Redis again, so it shows what changed. */
  invalidateHealth(): void {
    this.healthReader.invalidate();
  }

  entry(id: string): Promise<DlqEntryView | null> {
    return this.entries.entry(id);
  }

  newestDlqId(): Promise<string | null> {
    return this.entries.newestDlqId();
  }

  dlqLength(): Promise<number> {
    return this.entries.dlqLength();
  }

  list(query: ListQuery): Promise<DlqPage> {
    return this.entries.list(query);
  }

  groups(query: GroupsQuery): Promise<GroupsAnswer> {
    return this.failureGroups.groups(query);
  }

  /** The groups a retry or purge filter selects; null while the index is being repaired. */
  matchingGroups(filter: GroupFilter): Promise<string[] | null> {
    return this.failureGroups.matchingGroups(filter);
  }

  /** Resolves when a failure-index repair that is running has finished. */
  whenGroupsRepaired(): Promise<void> {
    return this.failureGroups.whenRepaired();
  }

  operation(operationId: string): Promise<OperationView | null> {
    return this.operations.operation(operationId);
  }
}
