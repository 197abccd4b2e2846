import { DlqSelection, MutationResult } from 'api/eventBusTypes';

export type DlqAction = 'retry' | 'purge';

/** One action as the operator confirms it; the key is minted with the plan and reused only to re-send this action. */
export interface ActionPlan {
  action: DlqAction;
  selection: DlqSelection;
  /** How many entries the operator was told the action covers. */
  count: number;
  /** The origin stream the action is scoped to (bulk), or that every selected entry shares. */
  stream?: string;
  idempotencyKey: string;
}

/**
 * Where a bulk action reaches, worded once for the button, the confirmation and the toast: "of {events}:orders", or
 * "(every stream)" when no stream filter is set.
 */
export function streamScope(stream: string | undefined): string {
  return stream ? `of ${stream}` : '(every stream)';
}

/** 3812 as "3,812": counts an operator compares at a glance. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

function entries(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'entry' : 'entries'}`;
}

/**
 * The sentence the confirm modal is titled with: "Retry 120 entries of {events}:orders up to 1764176400000-3", or for
 * a failure group "Retry 3,812 TimeoutError entries of {events}:orders up to 1764176400000-3".
 */
export function planSummary(plan: ActionPlan): string {
  const verb = plan.action === 'retry' ? 'Retry' : 'Purge';
  const { selection } = plan;
  if ('ids' in selection) {
    return `${verb} ${formatCount(plan.count)} selected ${plan.count === 1 ? 'entry' : 'entries'}${plan.stream ? ` of ${plan.stream}` : ''}`;
  }
  const scope = `${streamScope(selection.stream)} up to ${selection.upToId}`;
  if (selection.failureClass !== undefined) {
    return `${verb} ${formatCount(plan.count)} ${selection.failureClass} ${plan.count === 1 ? 'entry' : 'entries'} ${scope}`;
  }
  return `${verb} ${entries(plan.count)} ${scope}`;
}

/** What exactly will happen, for the body of the confirm modal. */
export function planDetail(plan: ActionPlan): string {
  const { selection } = plan;
  const group =
    'upToId' in selection && selection.failureClass !== undefined
      ? ` and are of this failure group (type ${selection.type ? `"${selection.type}"` : 'none'}, failure class ` +
        `"${selection.failureClass}")`
      : '';
  const scope =
    'ids' in selection
      ? `Only the ${entries(plan.count)} you selected are touched; any that left the DLQ meanwhile are skipped.`
      : `Only entries that were in the DLQ when the list was read (IDs up to ${selection.upToId})` +
        `${selection.stream ? ` and came from ${selection.stream}` : ''}${group} are touched; entries that arrive ` +
        `later are not${group ? ', and no entry of another group is' : ''}.`;
  if (plan.action === 'retry') {
    return (
      `Each entry is added back to its origin stream (marked with retryOf) and removed from the DLQ. ${scope} ` +
      'Consumers will process the messages again: make sure the cause of the failure is fixed.'
    );
  }
  return `The entries are deleted from the DLQ for good and can no longer be retried. ${scope}`;
}

/**
 * The result in one line: counts for an `ok`, how far it got against what the operator was told for a `stopped`
 * one, and what is known for an `unknown` or `partial` outcome.
 */
export function resultSummary(plan: ActionPlan, result: MutationResult): string {
  const done = plan.action === 'retry' ? 'retried' : 'purged';
  const counts = `${result.done} ${done}, ${result.skipped} skipped`;
  if (result.outcome === 'ok') {
    return `${counts}${result.remaining !== undefined ? `, ${result.remaining} remaining in the DLQ` : ''}.`;
  }
  if (result.outcome === 'stopped') {
    const skipped = result.skipped > 0 ? ` (${formatCount(result.skipped)} skipped)` : '';
    const left = Math.max(0, plan.count - result.done);
    return (
      `Stopped after ${formatCount(result.done)} of ${entries(plan.count)} ${done}${skipped}; ` +
      `${formatCount(left)} stay in the DLQ.`
    );
  }
  return `${counts} before it stopped.`;
}

export function streamTag(plan: ActionPlan): string {
  return plan.stream ?? 'all-streams';
}
