import { useEffect, useState } from 'react';
import { isFetchError } from '@grafana/runtime';

import { getOperation, isCancelled } from 'api/eventBus';
import { DlqOperation } from 'api/eventBusTypes';

export const VERIFY_INTERVAL_MS = 3000;
export const VERIFY_FOR_MS = 60_000;

export type VerifyPhase =
  /** Still polling: some retried messages are not processed yet. */
  | 'following'
  /** Every retried message was processed and none came back. */
  | 'through'
  /** Every retried message was processed and some failed again. */
  | 'came-back'
  /** The service cannot tell (operation too large to check, record expired or unknown). */
  | 'unknown'
  /** The time to follow ran out with messages still pending. */
  | 'stopped';

export interface VerifyState {
  phase: VerifyPhase;
  operation?: DlqOperation;
  /** The last poll failed; polling goes on until the time runs out. */
  lastError?: string;
}

/**
 * Follows a retry: polls its operation every few seconds, for a bounded time, until every retried message was
 * processed. Stops on unmount.
 */
export function useOperationVerify(
  operationId: string | undefined,
  intervalMs = VERIFY_INTERVAL_MS,
  forMs = VERIFY_FOR_MS
): VerifyState | undefined {
  const [state, setState] = useState<{ operationId: string; verify: VerifyState }>();

  useEffect(() => {
    if (!operationId) {
      return;
    }
    let isActive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = Date.now() + forMs;
    let last: DlqOperation | undefined;
    const report = (verify: VerifyState) => isActive && setState({ operationId, verify });

    const poll = async () => {
      try {
        const operation = await getOperation(operationId, { requestId: `opsdesk-dlq-verify-${operationId}` });
        last = operation;
        if (!isActive) {
          return;
        }
        const phase = phaseOf(operation);
        report({ phase, operation });
        if (phase !== 'following') {
          return;
        }
      } catch (error) {
        if (!isActive || isCancelled(error)) {
          return;
        }
        if (isFetchError(error) && error.status === 404) {
          report({ phase: 'unknown', operation: last, lastError: 'The service no longer knows this operation.' });
          return;
        }
        report({
          phase: 'following',
          operation: last,
          lastError:
            error instanceof Error
              ? error.message
              : `The check failed (${isFetchError(error) ? error.status : 'no status'}).`,
        });
      }
      if (Date.now() + intervalMs > deadline) {
        report({ phase: 'stopped', operation: last });
        return;
      }
      timer = setTimeout(poll, intervalMs);
    };
    poll();

    return () => {
      isActive = false;
      clearTimeout(timer);
    };
  }, [operationId, intervalMs, forMs]);

  return operationId && state?.operationId === operationId
    ? state.verify
    : operationId
      ? { phase: 'following' }
      : undefined;
}

function phaseOf(operation: DlqOperation): VerifyPhase {
  if (operation.pending === null) {
    return 'unknown';
  }
  if (operation.outcome === 'running' || operation.pending === undefined || operation.pending > 0) {
    return 'following';
  }
  return (operation.refailed ?? 0) > 0 ? 'came-back' : 'through';
}
