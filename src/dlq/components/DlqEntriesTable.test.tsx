import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { entryAt } from './__fixtures__/fakeEventBus';
import { DlqEntriesTable } from './DlqEntriesTable';

const ENTRIES = [entryAt(0), entryAt(1), entryAt(2)];
const NOW = Date.parse('2026-12-06T00:00:00Z');

/** The table with a working selection, as the DLQ view holds it. */
const Selectable = () => {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const onToggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) {
        next.add(id);
      }
      return next;
    });
  const onToggleAll = () =>
    setSelected((previous) => (previous.size === ENTRIES.length ? new Set() : new Set(ENTRIES.map(({ id }) => id))));
  return (
    <DlqEntriesTable
      entries={ENTRIES}
      showStream
      selection={{ selected, onToggle, onToggleAll, isDisabled: false }}
      now={NOW}
    />
  );
};

describe('DlqEntriesTable', () => {
  it('keeps the focus on a checkbox ticked with Space: the same element, not a new one', async () => {
    const user = userEvent.setup();
    render(<Selectable />);
    const checkbox = screen.getByRole('checkbox', { name: `Select entry ${ENTRIES[1].id}` });

    checkbox.focus();
    await user.keyboard(' ');

    expect(checkbox).toBeChecked();
    expect(checkbox).toBeInTheDocument();
    expect(checkbox).toHaveFocus();
    await user.keyboard(' ');
    expect(checkbox).not.toBeChecked();
    expect(checkbox).toHaveFocus();
  });

  it('keeps the focus on "select every entry" too', async () => {
    const user = userEvent.setup();
    render(<Selectable />);
    const all = screen.getByRole('checkbox', { name: 'Select every entry on this page' });

    all.focus();
    await user.keyboard(' ');

    expect(screen.getAllByRole('checkbox', { checked: true })).toHaveLength(ENTRIES.length + 1);
    expect(all).toHaveFocus();
  });
});
