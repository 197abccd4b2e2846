import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { testIds } from 'components/testIds';
import { createFakeEventBus, entryAt } from 'dlq/components/__fixtures__/fakeEventBus';
import { connectFakeRuntime } from 'dlq/components/__fixtures__/fakeRuntime';
import { forgetSharedHealth } from 'dlq/hooks/sharedHealth';

import { DLQ_ACTIONS } from '../../constants';
import { LiveDlqHealth, parseLiveBlockOptions } from './LiveDlqHealth';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

function setup(actions: string[]) {
  forgetSharedHealth();
  const fake = createFakeEventBus(7);
  connectFakeRuntime(fake, actions);
  render(<LiveDlqHealth stream="{events}:orders" />);
  return fake;
}

describe('LiveDlqHealth', () => {
  it("is the panel itself in a runbook: health, the stream's failure groups and a group retry behind a confirmation", async () => {
    const user = userEvent.setup();
    const fake = setup([DLQ_ACTIONS.retry]);

    const block = screen.getByTestId(testIds.runbook.liveBlock);
    expect(await within(block).findByTestId(testIds.dlqPanel.status)).toHaveTextContent('Event bus: Healthy');
    const failures = await within(block).findByTestId(testIds.dlqPanel.failures);
    const rows = within(await within(failures).findByRole('table')).getAllByRole('row');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveTextContent('ValidationError: amount must be positive (#<n>)');
    expect(fake.requestsTo('/api/events/dlq/groups')[0].params).toEqual({ stream: '{events}:orders', limit: 50 });
    expect(fake.requestsTo('/api/events/dlq')).toHaveLength(0);
    expect(within(block).queryByRole('button', { name: /purge/i })).not.toBeInTheDocument();

    await user.click(within(block).getByRole('button', { name: /^Retry these 4 / }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      `Retry 4 ValidationError: amount must be positive (#<n>) entries of {events}:orders up to ${entryAt(6).id}`
    );
  });

  it("lists the stream's entries on the Entries view, with retry behind a confirmation", async () => {
    const user = userEvent.setup();
    const fake = setup([DLQ_ACTIONS.retry]);

    const block = screen.getByTestId(testIds.runbook.liveBlock);
    await user.click(await within(block).findByRole('radio', { name: 'Entries' }));
    await within(block).findByRole('table', { name: '' });
    expect(within(block).getByText(/in the DLQ from/)).toHaveTextContent('4 in the DLQ from {events}:orders');
    expect(fake.requestsTo('/api/events/dlq')[0].params).toEqual({ limit: 20, stream: '{events}:orders' });

    await user.click(within(block).getByRole('button', { name: 'Retry all 4 of {events}:orders' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(`Retry 4 entries of {events}:orders up to ${entryAt(6).id}`);
  });

  it('is read-only without the retry and purge permissions', async () => {
    setup([]);

    expect(await screen.findByTestId(testIds.dlqPanel.readOnly)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /retry|purge/i })).not.toBeInTheDocument();
  });
});

describe('parseLiveBlockOptions', () => {
  it('reads stream=, with or without the {events}: prefix', () => {
    expect(parseLiveBlockOptions('stream=orders')).toEqual({ stream: '{events}:orders' });
    expect(parseLiveBlockOptions('stream={events}:payments\n')).toEqual({ stream: '{events}:payments' });
    expect(parseLiveBlockOptions('')).toEqual({ stream: undefined });
  });
});
