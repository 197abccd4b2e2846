import React, { useMemo } from 'react';
import { Checkbox, Column, InteractiveTable, Text } from '@grafana/ui';

import { DlqEntry } from 'api/eventBusTypes';

import { entryAge } from '../health';
import { PayloadView } from './PayloadView';

interface Props {
  entries: DlqEntry[];
  /** Whether the origin stream gets its own column (when not filtered to one). */
  showStream: boolean;
  /** Selection for actions; no checkbox column when undefined. */
  selection?: {
    selected: ReadonlySet<string>;
    onToggle: (id: string) => void;
    onToggleAll: () => void;
    isDisabled: boolean;
  };
  /** Epoch ms that ages are measured from. */
  now: number;
}

/** One page of DLQ entries, oldest first; a row expands to its payload. */
export const DlqEntriesTable = ({ entries, showStream, selection, now }: Props) => {
  const columns = useMemo(() => {
    const result: Array<Column<DlqEntry>> = [];
    if (selection) {
      const isAllSelected = entries.length > 0 && entries.every((entry) => selection.selected.has(entry.id));
      result.push({
        id: 'select',
        header: () => (
          <Checkbox
            aria-label="Select every entry on this page"
            value={isAllSelected}
            disabled={selection.isDisabled}
            onChange={selection.onToggleAll}
          />
        ),
        cell: ({ row }) => (
          <Checkbox
            aria-label={`Select entry ${row.original.id}`}
            value={selection.selected.has(row.original.id)}
            disabled={selection.isDisabled}
            onChange={() => selection.onToggle(row.original.id)}
          />
        ),
        disableGrow: true,
      });
    }
    result.push(
      { id: 'type', header: 'Type', cell: ({ row }) => <Text>{String(row.original.type ?? '')}</Text> },
      {
        id: 'reason',
        header: 'Reason',
        cell: ({ row }) => <Text truncate>{String(row.original.reason ?? '')}</Text>,
      },
      { id: 'attempts', header: 'Attempts', cell: ({ row }) => String(row.original.attempts ?? ''), disableGrow: true },
      {
        id: 'age',
        header: 'Age',
        // A no-break space keeps "5 seconds" on one line in the narrow column.
        cell: ({ row }) => entryAge(row.original.deadLetteredAt, now).replace(/ /g, '\u00a0'),
        disableGrow: true,
      },
      {
        id: 'retryOf',
        header: 'Retry of',
        cell: ({ row }) => (row.original.retryOf ? String(row.original.retryOf) : '-'),
        disableGrow: true,
      }
    );
    if (showStream) {
      result.splice(selection ? 1 : 0, 0, {
        id: 'stream',
        header: 'Stream',
        cell: ({ row }) => String(row.original.stream),
      });
    }
    return result;
  }, [entries, selection, showStream, now]);

  return (
    <InteractiveTable
      columns={columns}
      data={entries}
      getRowId={(entry) => entry.id}
      renderExpandedRow={(entry) => <PayloadView entry={entry} />}
    />
  );
};
