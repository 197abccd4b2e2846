import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';

import { DlqEntry, DlqPage, GroupKey } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';

import { ActionPlan, DlqAction, formatCount, streamScope } from '../actions';
import { newIdempotencyKey } from '../idempotency';

interface Props {
  page?: DlqPage;
  /** The selected entries of the page on screen. */
  selected: DlqEntry[];
  /** Stream filter the bulk actions are scoped to. */
  stream?: string;
  /** The failure group the entries are filtered to: the bulk actions cover that group alone. */
  group?: GroupKey;
  /** A text filter is active: bulk actions would cover more than the rows shown, so they are off. */
  hasTextFilter: boolean;
  canRetry: boolean;
  canPurge: boolean;
  /** A request runs, or the list is being read: nothing can be started. */
  isBusy: boolean;
  onRequest: (plan: ActionPlan) => void;
}

/** Retry and purge buttons, each opening a confirmation; only those the user's role allows are shown. */
export const ActionBar = ({
  page,
  selected,
  stream,
  group,
  hasTextFilter,
  canRetry,
  canPurge,
  isBusy,
  onRequest,
}: Props) => {
  if (!canRetry && !canPurge) {
    return (
      <Text color="secondary" variant="bodySmall" data-testid={testIds.dlqPanel.readOnly}>
        Read-only: your role may inspect the DLQ but not retry or purge it.
      </Text>
    );
  }

  const selectedStreams = new Set(selected.map((entry) => entry.stream));
  const planSelected = (action: DlqAction) =>
    onRequest({
      action,
      selection: { ids: selected.map((entry) => entry.id) },
      count: selected.length,
      stream: stream ?? (selectedStreams.size === 1 ? [...selectedStreams][0] : undefined),
      idempotencyKey: newIdempotencyKey(),
    });
  const snapshotId = page?.snapshotId;
  const total = page?.total ?? 0;
  const planAll = (action: DlqAction) =>
    snapshotId &&
    onRequest({
      action,
      selection: {
        upToId: snapshotId,
        ...(stream ? { stream } : {}),
        ...(group ? { type: group.type, failureClass: group.failureClass } : {}),
      },
      count: total,
      stream,
      idempotencyKey: newIdempotencyKey(),
    });
  const isBulkDisabled = isBusy || !snapshotId || total === 0 || hasTextFilter;
  const bulkTitle = hasTextFilter
    ? 'Clear the text filter first: bulk actions cover every entry of the stream filter, not only the matching rows.'
    : undefined;
  const scope = group ? 'of this failure group' : streamScope(stream);
  if (page && total === 0 && !hasTextFilter) {
    // An empty list offers nothing to act on: say so instead of buttons that would act on nothing.
    return (
      <Text color="secondary" variant="bodySmall" data-testid={testIds.dlqPanel.actions}>
        Nothing to retry or purge: no entry {scope} is in the DLQ.
      </Text>
    );
  }

  return (
    <Stack gap={1} wrap="wrap" alignItems="center" data-testid={testIds.dlqPanel.actions}>
      {canRetry && (
        <>
          <Button
            size="sm"
            icon="repeat"
            disabled={isBusy || selected.length === 0}
            onClick={() => planSelected('retry')}
          >
            Retry selected ({selected.length})
          </Button>
          <Button
            size="sm"
            variant="secondary"
            icon="repeat"
            disabled={isBulkDisabled}
            title={bulkTitle}
            onClick={() => planAll('retry')}
          >
            Retry all {formatCount(total)} {scope}
          </Button>
        </>
      )}
      {canPurge && (
        <>
          <Button
            size="sm"
            variant="destructive"
            icon="trash-alt"
            disabled={isBusy || selected.length === 0}
            onClick={() => planSelected('purge')}
          >
            Purge selected ({selected.length})
          </Button>
          <Button
            size="sm"
            variant="destructive"
            fill="outline"
            icon="trash-alt"
            disabled={isBulkDisabled}
            title={bulkTitle}
            onClick={() => planAll('purge')}
          >
            Purge all {formatCount(total)} {scope}
          </Button>
        </>
      )}
      {hasTextFilter && (
        <Text variant="bodySmall" color="secondary">
          Bulk actions are off while the text filter is set.
        </Text>
      )}
    </Stack>
  );
};
