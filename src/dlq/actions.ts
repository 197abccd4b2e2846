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

const ALL_STREAMS = 'all streams';

function entries(count: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'}`;
}

/** "Retry 120 entries of {events}:orders up to 1764176400000-3": the sentence the confirm modal is titled with. */
export function planSummary(plan: ActionPlan): string {
  const verb = plan.action === 'retry' ? 'Retry' : 'Purge';
  if ('ids' in plan.selection) {
    return `${verb} ${plan.count} selected ${plan.count === 1 ? 'entry' : 'entries'}${plan.stream ? ` of ${plan.stream}` : ''}`;
  }
  return `${verb} ${entries(plan.count)} of ${plan.selection.stream ?? ALL_STREAMS} up to ${plan.selection.upToId}`;
}

/** What exactly will happen, for the body of the confirm modal. */
export function planDetail(plan: ActionPlan): string {
  const scope =
    'ids' in plan.selection
      ? `Only the ${entries(plan.count)} you selected are touched; any that left the DLQ meanwhile are skipped.`
      : `Only entries that were in the DLQ when the list was read (IDs up to ${plan.selection.upToId})` +
        `${plan.selection.stream ? ` and came from ${plan.selection.stream}` : ''} are touched; entries that arrive ` +
        'later are not.';
  if (plan.action === 'retry') {
    return (
      `Each entry is added back to its origin stream (marked with retryOf) and removed from the DLQ. ${scope} ` +
      'Consumers will process the messages again: make sure the cause of the failure is fixed.'
    );
  }
  return `The entries are deleted from the DLQ for good and can no longer be retried. ${scope}`;
}

/** The result in one line: counts for an `ok`, and what is known for an `unknown` or `partial` outcome. */
export function resultSummary(action: DlqAction, result: MutationResult): string {
  const done = action === 'retry' ? 'retried' : 'purged';
  const counts = `${result.done} ${done}, ${result.skipped} skipped`;
  if (result.outcome === 'ok') {
    return `${counts}${result.remaining !== undefined ? `, ${result.remaining} remaining in the DLQ` : ''}.`;
  }
  return `${counts} before it stopped.`;
}

export function streamTag(plan: ActionPlan): string {
  return plan.stream ?? 'all-streams';
}
