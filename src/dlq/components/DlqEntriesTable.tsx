import React, { createContext, useContext, useMemo } from 'react';
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

type Selection = NonNullable<Props['selection']>;

// The checkboxes read the selection from here, so that ticking one changes no column: columns that changed with the
// selection would be new cell components, re-created on every tick, and the ticked checkbox would lose the focus.
const SelectionContext = createContext<Selection | undefined>(undefined);

const SelectAllCheckbox = ({ entries }: { entries: DlqEntry[] }) => {
  const selection = useContext(SelectionContext)!;
  const isAllSelected = entries.length > 0 && entries.every((entry) => selection.selected.has(entry.id));
  return (
    <Checkbox
      aria-label="Select every entry on this page"
      value={isAllSelected}
      disabled={selection.isDisabled}
      onChange={selection.onToggleAll}
    />
  );
};

const SelectCheckbox = ({ id }: { id: string }) => {
  const selection = useContext(SelectionContext)!;
  return (
    <Checkbox
      aria-label={`Select entry ${id}`}
      value={selection.selected.has(id)}
      disabled={selection.isDisabled}
      onChange={() => selection.onToggle(id)}
    />
  );
};

/** One page of DLQ entries, oldest first; a row expands to its payload. */
export const DlqEntriesTable = ({ entries, showStream, selection, now }: Props) => {
  const isSelectable = selection !== undefined;
  const columns = useMemo(() => {
    const result: Array<Column<DlqEntry>> = [];
    if (isSelectable) {
      result.push({
        id: 'select',
        header: () => <SelectAllCheckbox entries={entries} />,
        cell: ({ row }) => <SelectCheckbox id={row.original.id} />,
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
      result.splice(isSelectable ? 1 : 0, 0, {
        id: 'stream',
        header: 'Stream',
        cell: ({ row }) => String(row.original.stream),
      });
    }
    return result;
  }, [entries, isSelectable, showStream, now]);

  return (
    <SelectionContext.Provider value={selection}>
      <InteractiveTable
        columns={columns}
        data={entries}
        getRowId={(entry) => entry.id}
        renderExpandedRow={(entry) => <PayloadView entry={entry} />}
      />
    </SelectionContext.Provider>
  );
};
