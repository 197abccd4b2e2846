// The event-bus API's answers as the app reads them (docs/event-bus-api.md, event-bus/openapi.yaml). Optional
// fields may be missing on other implementations.

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface ConsumerGroupHealth {
  group: string;
  consumers: number;
  pending: number;
  /** `null` when Redis cannot compute the lag: unknown, never zero. */
  lag: number | null;
  lastDeliveredId?: string;
}

export interface StreamHealth {
  stream: string;
  length: number;
  groups: ConsumerGroupHealth[];
}

/** `GET /api/events/health` (docs/event-bus-api.md); optional fields may be missing on other implementations. */
export interface EventBusHealth {
  status: HealthStatus;
  checkedAt?: string;
  /** Why the status is not ok, in the service's words. */
  reasons?: string[];
  redis?: { up: boolean; latencyMs?: number; version?: string };
  dlq?: {
    stream: string;
    length: number;
    oldestId?: string | null;
    newestId?: string | null;
    oldestAgeSeconds?: number | null;
    byStream?: Record<string, number>;
  };
  streams?: StreamHealth[];
}

/** A DLQ entry as `GET /api/events/dlq` lists it; `payload` is text (truncated, redacted) and never HTML. */
export interface DlqEntry {
  id: string;
  /** Origin stream key, for example `{events}:orders`. */
  stream: string;
  originalId: string;
  type: string;
  reason: string;
  attempts: number;
  deadLetteredAt: string | null;
  payload: string;
  /** The payload shown is not all of it (cut to a preview, or past the service's full-read limit). */
  payloadTruncated: boolean;
  /** The whole payload's size in bytes, as stored (services older than this field leave it out). */
  payloadBytes?: number;
  /** The DLQ ID this message was retried from, when it failed again after a retry. */
  retryOf: string | null;
  retryOperationId?: string | null;
}

export interface DlqPage {
  /** Entries matching the stream filter (the text filter `q` is not counted). */
  total: number;
  /** Newest DLQ ID when read: the `upToId` that bounds a bulk action to what the operator saw. */
  snapshotId: string | null;
  entries: DlqEntry[];
  /** `after` for the next page; `null` at the end. */
  nextCursor: string | null;
}

export interface DlqQuery {
  limit?: number;
  after?: string;
  stream?: string;
  q?: string;
  /** With `stream` and `failureClass`: one failure group's entries. Empty for entries without a type. */
  type?: string;
  failureClass?: string;
}

/** Exactly the entries listed, or every entry up to an ID (optionally of one origin stream). */
export type DlqSelection =
  { ids: string[] } | { upToId: string; stream?: string; type?: string; failureClass?: string };

/**
 * What a retry or purge did. `ok` and `stopped` (an operator asked for a stop, `stopDlqOperations`) are 200s with exact
 * counts; `unknown` (Redis failed mid-way) and `partial` (the service shut down) come from a 503 and carry the counts
 * done so far: re-read the DLQ, and repeating is safe.
 */
export interface MutationResult {
  operationId?: string;
  outcome: 'ok' | 'stopped' | 'unknown' | 'partial';
  /** Entries retried (retry) or deleted (purge). */
  done: number;
  skipped: number;
  /** DLQ length afterwards; only known when the outcome is `ok` or `stopped`. */
  remaining?: number;
  upToId?: string | null;
  /** The service's sentence for an `unknown` or `partial` outcome. */
  message?: string;
  /**
   * Entries a retry left in the DLQ because no retry can move them (origin not configured, not a stream, no
   * payload), counted in `skipped`: how many, and the first of them with the reason and the origin as written.
   */
  invalidCount?: number;
  invalid?: InvalidEntry[];
}

export interface InvalidEntry {
  id: string;
  why: string;
  /** The entry's origin stream as written; empty when it names none. */
  stream: string;
}

/** `GET /api/events/dlq/operations/{id}`: what became of a retry since it ran. */
export interface DlqOperation {
  operationId: string;
  action: 'retry' | 'purge';
  actor: string;
  startedAt: string;
  finishedAt?: string | null;
  outcome: 'running' | 'ok' | 'stopped' | 'unknown' | 'partial';
  retried?: number;
  purged?: number;
  skipped?: number;
  /** Retried messages that came back to the DLQ; `null` when the service cannot prove which (a retry too large to record). */
  refailed?: number | null;
  /** Retried messages not yet processed by every group; `null` when the service cannot tell. */
  pending?: number | null;
}

/** A retry or purge that a stop request found running, in any replica of the event bus. */
export interface StoppingOperation {
  operationId: string;
  action: 'retry' | 'purge';
  /** Who started it. */
  actor: string;
  startedAt: string;
  retried?: number;
  purged?: number;
}

/** `POST /api/events/dlq/stop`: every retry and purge running then stops after its current batch. */
export interface DlqStopResult {
  /** When the stop in force was requested; a repeat while nothing started since gets the same time. */
  stopRequestedAt: string;
  /** The operations that were running and stop; empty when none was (one may have just finished). */
  operations: StoppingOperation[];
}

/** An entry of a failure group: its ID and the time in it. */
export interface EntryRef {
  id: string;
  at: string | null;
}

/** What names a failure group: the origin stream, the message type and the failure class. */
export interface GroupKey {
  stream: string;
  type: string;
  failureClass: string;
}

/** One failure group: the DLQ entries of one origin stream, message type and failure class. */
export interface FailureGroup extends GroupKey {
  count: number;
  oldest: EntryRef;
  newest: EntryRef;
  sampleId: string;
  sampleReason: string;
}

/** `GET /api/events/dlq/groups`: the DLQ by failure group, largest first. */
export interface DlqGroups {
  snapshotId: string | null;
  total: number;
  /** The counts are not exact: entries were written or deleted behind the service and are being recounted. */
  stale: boolean;
  groups: FailureGroup[];
  /** The groups past the limit, summed. */
  other: { groups: number; count: number };
}
