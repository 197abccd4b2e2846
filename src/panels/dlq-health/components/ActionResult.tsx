import React from 'react';
import { Alert, Button, Stack, Text } from '@grafana/ui';

import { testIds } from 'components/testIds';

import { planSummary, resultSummary } from '../actions';
import { ActionOutcome, isUncertain } from '../hooks/useDlqActions';
import { ProblemMessage } from './ProblemMessage';
import { VerifyStatus } from './VerifyStatus';

interface Props {
  outcome: ActionOutcome;
  isRunning: boolean;
  onRepeat: () => void;
  onDismiss: () => void;
}

/** What the last action did, whether its retried messages went through, and whether it was marked on the graphs. */
export const ActionResult = ({ outcome, isRunning, onRepeat, onDismiss }: Props) => {
  const { plan, result, problem } = outcome;
  if (problem) {
    return (
      <div data-testid={testIds.dlqPanel.result}>
        <ProblemMessage problem={problem} />
      </div>
    );
  }
  const isUnknown = isUncertain(outcome);
  const retryOperationId = plan.action === 'retry' && result?.done ? result.operationId : undefined;
  return (
    <div data-testid={testIds.dlqPanel.result}>
      <Alert
        severity={isUnknown ? 'warning' : 'success'}
        title={`${planSummary(plan)}: ${isUnknown ? 'outcome unknown' : 'done'}`}
        onRemove={onDismiss}
      >
        <Stack direction="column" gap={1}>
          {result && <Text>{resultSummary(plan.action, result)}</Text>}
          {isUnknown && (
            <>
              <Text>
                The outcome is unknown, the list below was re-read.{' '}
                {outcome.isTimedOut ? 'The event bus did not answer within the deadline. ' : ''}
                Repeating the action is safe: entries already moved are skipped.
              </Text>
              {result?.message && <Text color="secondary">{result.message}</Text>}
              <div>
                <Button size="sm" variant="secondary" icon="repeat" disabled={isRunning} onClick={onRepeat}>
                  Repeat this action
                </Button>
              </div>
            </>
          )}
          {retryOperationId && <VerifyStatus operationId={retryOperationId} retried={result?.done ?? 0} />}
          {outcome.annotation?.state === 'added' && (
            <Text variant="bodySmall" color="secondary">
              Marked on the dashboard&apos;s graphs as an annotation.
            </Text>
          )}
          {outcome.annotation?.state === 'failed' && (
            <Text variant="bodySmall" color="warning">
              The audit annotation could not be added ({outcome.annotation.error}); the action itself is done as shown
              above.
            </Text>
          )}
        </Stack>
      </Alert>
    </div>
  );
};
