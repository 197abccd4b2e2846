import { formattedValueToString, getValueFormat } from '@grafana/data';

import { EventBusHealth, HealthStatus } from 'api/eventBusTypes';

import { DlqPanelOptions } from './options';

export interface Verdict {
  status: HealthStatus;
  /** Why the status is not ok, in words: the service's reasons and the panel's own thresholds. */
  reasons: string[];
}

/** The service decides the status; the panel's thresholds can only make it stricter (ok to degraded). */
export function verdictOf(
  health: EventBusHealth,
  { degradedDepth, degradedOldestAgeSeconds }: Pick<DlqPanelOptions, 'degradedDepth' | 'degradedOldestAgeSeconds'>
): Verdict {
  const reasons = Array.isArray(health.reasons)
    ? health.reasons.filter((reason): reason is string => typeof reason === 'string')
    : [];
  let status = health.status;
  const depth = health.dlq?.length;
  const age = health.dlq?.oldestAgeSeconds;
  if (degradedDepth > 0 && typeof depth === 'number' && depth > degradedDepth) {
    reasons.push(`The DLQ holds ${depth} entries, more than this panel's threshold of ${degradedDepth}.`);
    status = status === 'ok' ? 'degraded' : status;
  }
  if (degradedOldestAgeSeconds > 0 && typeof age === 'number' && age > degradedOldestAgeSeconds) {
    reasons.push(
      `The oldest entry is ${formatAge(age)} old, older than this panel's threshold of ${formatAge(degradedOldestAgeSeconds)}.`
    );
    status = status === 'ok' ? 'degraded' : status;
  }
  return { status, reasons };
}

export function formatAge(seconds: number): string {
  return formattedValueToString(getValueFormat('dtdurations')(seconds));
}

/** Age of a DLQ entry from its `deadLetteredAt`; "unknown" when missing or unreadable. */
export function entryAge(deadLetteredAt: string | null | undefined, now: number): string {
  const time = deadLetteredAt ? Date.parse(deadLetteredAt) : NaN;
  if (Number.isNaN(time)) {
    return 'unknown';
  }
  return formatAge(Math.max(0, Math.round((now - time) / 1000)));
}
