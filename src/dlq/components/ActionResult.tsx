import React from 'react';
import { Alert, Button, Stack, Text } from '@grafana/ui';

import { InvalidEntry } from 'api/eventBusTypes';
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
  /** Shows the DLQ entries of one origin stream: where the entries a retry could not move can be inspected. */
  onShowStream: (stream: string) => void;
}

/** Sends the same action again, with the same Idempotency-Key: safe after an unknown or a stopped outcome. */
const RepeatButton = ({ isRunning, onRepeat }: Pick<Props, 'isRunning' | 'onRepeat'>) => (
  <div>
    <Button size="sm" variant="secondary" icon="repeat" disabled={isRunning} onClick={onRepeat}>
      Repeat this action
    </Button>
  </div>
);

/** What the last action did, whether its retried messages went through, and whether it was marked on the graphs. */
export const ActionResult = ({ outcome, isRunning, onRepeat, onDismiss, onShowStream }: Props) => {
  const { plan, result, problem } = outcome;
  if (problem) {
    return (
      <div data-testid={testIds.dlqPanel.result}>
        <ProblemMessage problem={problem} />
      </div>
    );
  }
  const isUnknown = isUncertain(outcome);
  const isStopped = result?.outcome === 'stopped';
  const retryOperationId = plan.action === 'retry' && result?.done ? result.operationId : undefined;
  return (
    <div data-testid={testIds.dlqPanel.result}>
      <Alert
        severity={isUnknown ? 'warning' : isStopped ? 'info' : 'success'}
        title={`${planSummary(plan)}: ${isUnknown ? 'outcome unknown' : isStopped ? 'stopped' : 'done'}`}
        onRemove={onDismiss}
        // Announced by the view's live region (DlqHealthView), which was in the page before the action.
        role="group"
      >
        <Stack direction="column" gap={1}>
          {result && <Text>{resultSummary(plan, result)}</Text>}
          {result?.invalidCount ? (
            <InvalidEntries count={result.invalidCount} entries={result.invalid ?? []} onShowStream={onShowStream} />
          ) : null}
          {isUnknown && (
            <>
              <Text>
                The outcome is unknown, the list below was re-read.{' '}
                {outcome.isTimedOut ? 'The event bus did not answer within the deadline. ' : ''}
                Repeating the action is safe: entries already moved are skipped.
              </Text>
              {result?.message && <Text color="secondary">{result.message}</Text>}
              <RepeatButton isRunning={isRunning} onRepeat={onRepeat} />
            </>
          )}
          {isStopped && (
            <>
              <Text>
                Stopped on request after a whole batch: the counts are exact. Repeating the action later carries on with
                the entries still in the DLQ.
              </Text>
              <RepeatButton isRunning={isRunning} onRepeat={onRepeat} />
            </>
          )}
          {retryOperationId && <VerifyStatus operationId={retryOperationId} retried={result?.done ?? 0} />}
          {outcome.annotation?.state === 'added' && (
            <Text variant="bodySmall" color="secondary">
              Marked on the dashboard&apos;s graphs as an annotation, shown there from their next refresh.
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

/**
 * Entries a retry left in the DLQ because no retry can move them: how many, why, and a way to see them. Only origins
 * under the event-bus prefix can be filtered by; an entry without one is named by its ID.
 */
const InvalidEntries = ({
  count,
  entries,
  onShowStream,
}: {
  count: number;
  entries: InvalidEntry[];
  onShowStream: (stream: string) => void;
}) => {
  const reasons = new Map<string, number>();
  for (const entry of entries) {
    reasons.set(entry.why, (reasons.get(entry.why) ?? 0) + 1);
  }
  const listed = [...reasons].map(([why, n]) => `${why}: ${n}`).join('; ');
  const origins = [...new Set(entries.map((entry) => entry.stream))].filter((stream) => stream.startsWith('{events}:'));
  const unnamed = entries.filter((entry) => !entry.stream.startsWith('{events}:')).map((entry) => entry.id);
  return (
    <Stack direction="column" gap={1}>
      <Text color="warning">
        {count === 1 ? '1 entry' : `${count} entries`} could not be retried and stayed in the DLQ, where{' '}
        {count === 1 ? 'it' : 'they'} can be inspected and purged
        {listed ? ` (${count > entries.length ? `the first ${entries.length}: ` : ''}${listed})` : ''}.
      </Text>
      {unnamed.length > 0 && (
        <Text variant="bodySmall" color="secondary">
          Without an origin stream to filter by: {unnamed.join(', ')}.
        </Text>
      )}
      {origins.length > 0 && (
        <Stack gap={1} wrap="wrap">
          {origins.map((stream) => (
            <Button key={stream} size="sm" variant="secondary" icon="filter" onClick={() => onShowStream(stream)}>
              Show the entries from {stream}
            </Button>
          ))}
        </Stack>
      )}
    </Stack>
  );
};
