import React from 'react';
import { Button, EmptyState, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { testIds } from 'components/testIds';

import { formatCount } from '../actions';
import { DlqEntriesState } from '../hooks/useDlqEntries';
import { DlqEntriesTable } from './DlqEntriesTable';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  entries: DlqEntriesState;
  /** What the filters cover, after "N entries": " of {events}:orders", " of this failure group". */
  scope: string;
  isFiltered: boolean;
  hasTextFilter: boolean;
  showStream: boolean;
  selection?: React.ComponentProps<typeof DlqEntriesTable>['selection'];
  /** Called before a page change: the selection belongs to the page on screen. */
  onPageChange: () => void;
}

/** One page of DLQ entries with its loading, error and empty states, and the paging under it. */
export const EntriesList = ({
  entries,
  scope,
  isFiltered,
  hasTextFilter,
  showStream,
  selection,
  onPageChange,
}: Props) => {
  const turn = (move: () => void) => () => {
    onPageChange();
    move();
  };
  return (
    <>
      <div data-testid={testIds.dlqPanel.entries} aria-busy={entries.loading}>
        {entries.problem ? (
          <ProblemMessage problem={entries.problem} onRetry={entries.reload} />
        ) : !entries.page ? (
          <LoadingPlaceholder text="Reading the DLQ entries..." />
        ) : entries.page.entries.length === 0 && entries.pageIndex === 0 ? (
          <EmptyState
            variant="completed"
            message={isFiltered ? 'No DLQ entries match these filters' : 'The DLQ is empty'}
          />
        ) : (
          <DlqEntriesTable
            entries={entries.page.entries}
            showStream={showStream}
            selection={selection}
            now={entries.readAt}
          />
        )}
      </div>
      {entries.page && (
        <Stack gap={1} alignItems="center" data-testid={testIds.dlqPanel.paging}>
          <Button
            size="sm"
            variant="secondary"
            icon="angle-left"
            disabled={!entries.hasPrevious || entries.loading}
            onClick={turn(entries.previous)}
          >
            Previous
          </Button>
          <Text variant="bodySmall">
            Page {entries.pageIndex + 1} · {formatCount(entries.page.total)}{' '}
            {entries.page.total === 1 ? 'entry' : 'entries'}
            {scope}
            {hasTextFilter ? ' (the text filter is not counted)' : ''}, oldest first
          </Text>
          <Button
            size="sm"
            variant="secondary"
            icon="angle-right"
            disabled={!entries.hasNext || entries.loading}
            onClick={turn(entries.next)}
          >
            Next
          </Button>
        </Stack>
      )}
    </>
  );
};
