/** Options of the DLQ health panel, set in the panel editor (see module.ts). */
export interface DlqPanelOptions {
  /** Origin stream the panel opens on (`{events}:orders`, or `orders`); all streams when empty. */
  stream: string;
  /** DLQ entries per page (1..500, the API's limit). */
  pageSize: number;
  /** Whether retry and purge show at all; permissions still apply when they do. */
  showActions: boolean;
  /** Re-read on the dashboard's refresh (time picker, auto refresh), or only when asked. */
  refreshOnDashboard: boolean;
  /** Runbook slug the panel links to, opened beside the dashboard. */
  runbook: string;
  /** Show "degraded" once the DLQ holds more entries than this, even when the service says ok; 0 leaves it to the service. */
  degradedDepth: number;
  /** Show "degraded" once the oldest entry is older than this many seconds; 0 leaves it to the service. */
  degradedOldestAgeSeconds: number;
}

export const DEFAULT_OPTIONS: DlqPanelOptions = {
  stream: '',
  pageSize: 50,
  showActions: true,
  refreshOnDashboard: true,
  runbook: 'dlq-management',
  degradedDepth: 0,
  degradedOldestAgeSeconds: 0,
};

/** Compact: health at a glance only. Full: health, the entries and the actions. */
export type Layout = 'compact' | 'full';

/** Below either size the panel shows the compact layout. */
export const FULL_LAYOUT_MIN = { width: 560, height: 320 };

export function layoutFor(width: number, height: number): Layout {
  return width < FULL_LAYOUT_MIN.width || height < FULL_LAYOUT_MIN.height ? 'compact' : 'full';
}

/** Accepts `orders` as well as `{events}:orders`. */
export function streamKey(stream: string | undefined): string | undefined {
  const trimmed = stream?.trim();
  if (!trimmed) {
    return undefined;
  }
  return trimmed.startsWith('{') ? trimmed : `{events}:${trimmed}`;
}

/** Options as typed in the editor, made safe to use: a page size the API accepts, a slug that is only a path. */
export function normalizeOptions(options: Partial<DlqPanelOptions> | undefined): DlqPanelOptions {
  const merged = { ...DEFAULT_OPTIONS, ...options };
  const pageSize = Math.round(Number(merged.pageSize));
  const runbook = String(merged.runbook ?? '').trim();
  return {
    ...merged,
    pageSize: Number.isFinite(pageSize) ? Math.min(500, Math.max(1, pageSize)) : DEFAULT_OPTIONS.pageSize,
    runbook: /^[a-z0-9][a-z0-9/-]*$/.test(runbook) && !runbook.includes('..') ? runbook : DEFAULT_OPTIONS.runbook,
    degradedDepth: Math.max(0, Number(merged.degradedDepth) || 0),
    degradedOldestAgeSeconds: Math.max(0, Number(merged.degradedOldestAgeSeconds) || 0),
  };
}
