import {
  DlqGroups,
  HealthStatus,
  EventBusHealth,
  DlqEntry,
  DlqPage,
  InvalidEntry,
  DlqOperation,
  DlqStopResult,
} from './eventBusTypes';

// Checks that an answer has the shape the app relies on before it is used: fields may grow and optional ones may
// be missing, but what the panel reads must be there with the right type.

export function invalidEntriesOf(value: unknown): InvalidEntry[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value
    .filter(isRecord)
    .filter((entry) => typeof entry.id === 'string' && typeof entry.why === 'string')
    .map((entry) => ({ id: entry.id as string, why: entry.why as string, stream: stringOr(entry.stream) ?? '' }));
}

export const HEALTH_STATUSES: readonly unknown[] = ['ok', 'degraded', 'down'] satisfies HealthStatus[];

export function isRecord(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

export function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function isDlqEntry(entry: unknown): entry is DlqEntry {
  return (
    isRecord(entry) &&
    typeof entry.id === 'string' &&
    typeof entry.stream === 'string' &&
    (entry.payload === undefined || typeof entry.payload === 'string')
  );
}

export function isDlqPage(data: unknown): data is DlqPage {
  return (
    isRecord(data) &&
    typeof data.total === 'number' &&
    (data.snapshotId === null || typeof data.snapshotId === 'string') &&
    (data.nextCursor === null || typeof data.nextCursor === 'string') &&
    Array.isArray(data.entries) &&
    data.entries.every(isDlqEntry)
  );
}

export function isOperation(data: unknown): data is DlqOperation {
  return isRecord(data) && typeof data.operationId === 'string' && typeof data.outcome === 'string';
}

export function isStopResult(data: unknown): data is DlqStopResult {
  return (
    isRecord(data) &&
    typeof data.stopRequestedAt === 'string' &&
    Array.isArray(data.operations) &&
    data.operations.every((op) => isRecord(op) && typeof op.operationId === 'string')
  );
}

export function isHealth(data: unknown): data is EventBusHealth {
  return typeof data === 'object' && data !== null && HEALTH_STATUSES.includes((data as EventBusHealth).status);
}

function isEntryRef(value: unknown): boolean {
  return isRecord(value) && typeof value.id === 'string';
}

export function isDlqGroups(data: unknown): data is DlqGroups {
  return (
    isRecord(data) &&
    typeof data.total === 'number' &&
    typeof data.stale === 'boolean' &&
    isRecord(data.other) &&
    Array.isArray(data.groups) &&
    data.groups.every(
      (g) =>
        isRecord(g) &&
        typeof g.stream === 'string' &&
        typeof g.failureClass === 'string' &&
        typeof g.count === 'number' &&
        isEntryRef(g.oldest) &&
        isEntryRef(g.newest)
    )
  );
}
