import React from 'react';
import { Alert, Button, Stack, Text } from '@grafana/ui';

import { testIds } from 'components/testIds';

import { ActionPlan, planSummary } from '../actions';
import { StopState } from '../hooks/useDlqActions';

interface Props {
  plan: ActionPlan;
  /** The user may stop it (the stop route requires the retry action). */
  canStop: boolean;
  stop?: StopState;
  onStop: () => void;
}

/**
 * The action being sent: the event bus moves its entries batch by batch within the one request, so it can take a
 * while, and it can be stopped after the current batch when the consumers start failing again.
 */
export const ActionProgress = ({ plan, canStop, stop, onStop }: Props) => {
  const what = plan.action === 'retry' ? 'retry' : 'purge';
  const isStopAsked = stop?.state === 'sending' || stop?.state === 'requested';
  return (
    <div data-testid={testIds.dlqPanel.progress}>
      {/* Announced by the view's live region (DlqHealthView), which was in the page before the action. */}
      <Alert severity="info" title={`${planSummary(plan)}: running`} role="group">
        <Stack direction="column" gap={1}>
          <Text>
            The event bus {plan.action === 'retry' ? 'retries' : 'purges'} the entries in batches; the result shows here
            when it answers.
            {canStop && ` Stopping ends it after its current batch: the entries it has not reached stay in the DLQ.`}
          </Text>
          {canStop && (
            <div>
              <Button
                size="sm"
                variant="secondary"
                icon={stop?.state === 'sending' ? 'spinner' : 'square-shape'}
                disabled={isStopAsked}
                onClick={onStop}
              >
                Stop the {what}
              </Button>
            </div>
          )}
          {stop?.state === 'requested' && (
            <Text>
              {stop.result.operations.length > 0
                ? `Stop requested at ${new Date(stop.result.stopRequestedAt).toLocaleTimeString()}: the ${what} stops ` +
                  'after its current batch.'
                : `Stop requested, but the event bus found no retry or purge running: the ${what} may have just ` +
                  'finished.'}
            </Text>
          )}
          {stop?.state === 'failed' && (
            <Text color="error">
              The stop did not go through: {stop.problem.title}. {stop.problem.detail} The {what} goes on.
            </Text>
          )}
        </Stack>
      </Alert>
    </div>
  );
};
