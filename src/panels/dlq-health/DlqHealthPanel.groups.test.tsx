// The Failures view: the DLQ by failure group, a group's entries, and retry or purge of one group.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DlqGroups } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';
import { createFakeEventBus, entryAt, fail, groupsOf, ok } from 'dlq/components/__fixtures__/fakeEventBus';
import { publish } from 'dlq/components/__fixtures__/fakeRuntime';

import { listParams, resetPanelState, setup, stubIntersectionObserver } from './__fixtures__/panelHarness';

jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());

beforeAll(stubIntersectionObserver);
beforeEach(resetPanelState);

const ORDERS = '{events}:orders';
const TIMEOUT = 'TimeoutError: upstream did not answer within 5000 ms';
const INVALID = 'ValidationError: amount must be positive';
const TYPE_ERROR = "TypeError: cannot read 'id' of undefined";

/** Ten entries of {events}:orders: six timeouts, three validation errors, one type error. */
function threeClasses() {
  return createFakeEventBus(10, {
    entry: (index) =>
      entryAt(index, {
        stream: ORDERS,
        type: 'order.created',
        reason: index < 6 ? TIMEOUT : index < 9 ? INVALID : TYPE_ERROR,
      }),
  });
}

async function groupRows() {
  const failures = await screen.findByTestId(testIds.dlqPanel.failures);
  const [, ...rows] = within(await within(failures).findByRole('table')).getAllByRole('row');
  return rows;
}

describe('DlqHealthPanel: failure groups', () => {
  it('opens on the Failures view: one row per group, largest first, with its count, failure, sample and ages', async () => {
    const { fake } = setup({ fake: threeClasses() });

    const rows = await groupRows();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('6');
    expect(rows[0]).toHaveTextContent(ORDERS);
    expect(rows[0]).toHaveTextContent('order.created');
    expect(rows[0]).toHaveTextContent('TimeoutError: upstream did not answer within <n> ms');
    expect(rows[0]).toHaveTextContent(TIMEOUT);
    expect(rows[1]).toHaveTextContent(INVALID);
    expect(rows[2]).toHaveTextContent("TypeError: cannot read 'id' of undefined");
    expect(within(screen.getByTestId(testIds.dlqPanel.view)).getByRole('radio', { name: 'Failures' })).toBeChecked();
    expect(fake.requestsTo('/api/events/dlq/groups')[0].params).toEqual({ limit: 50 });
    // The entries are not read until the operator asks for them.
    expect(fake.requestsTo('/api/events/dlq')).toHaveLength(0);
  });

  it('opens on the Entries view when the DLQ is empty', async () => {
    setup({ size: 0 });

    expect(
      await within(await screen.findByTestId(testIds.dlqPanel.entries)).findByText('The DLQ is empty')
    ).toBeVisible();
    expect(within(screen.getByTestId(testIds.dlqPanel.view)).getByRole('radio', { name: 'Entries' })).toBeChecked();
  });

  it("opens a group's entries, filtered to that group, and goes back to the whole stream", async () => {
    const user = userEvent.setup();
    const { fake } = setup({ fake: threeClasses(), role: 'editor' });

    const rows = await groupRows();
    await user.click(within(rows[1]).getByRole('button', { name: /^Entries: show the 3 / }));

    const entries = await screen.findByTestId(testIds.dlqPanel.entries);
    const [, ...entryRows] = within(await within(entries).findByRole('table')).getAllByRole('row');
    expect(entryRows.map((row) => row.textContent)).toEqual(
      [6, 7, 8].map(() => expect.stringContaining(INVALID) as unknown as string)
    );
    expect(listParams(fake).at(-1)).toEqual({
      limit: 50,
      stream: ORDERS,
      type: 'order.created',
      failureClass: INVALID,
    });
    expect(screen.getByTestId(testIds.dlqPanel.groupFilter)).toHaveTextContent(`Failure group: ${INVALID}`);
    expect(screen.getByTestId(testIds.dlqPanel.paging)).toHaveTextContent('3 entries of this failure group');
    expect(screen.getByRole('button', { name: 'Retry all 3 of this failure group' })).toBeEnabled();

    await user.click(screen.getByRole('button', { name: `All entries of ${ORDERS}` }));
    await waitFor(() => expect(listParams(fake).at(-1)).toEqual({ limit: 50, stream: ORDERS }));
    expect(screen.queryByTestId(testIds.dlqPanel.groupFilter)).not.toBeInTheDocument();
  });

  it('retries one group up to the snapshot, after a confirmation naming the group and the count', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ fake: threeClasses(), role: 'editor' });

    const rows = await groupRows();
    expect(within(rows[0]).queryByRole('button', { name: /^Purge/ })).not.toBeInTheDocument();
    await user.click(within(rows[0]).getByRole('button', { name: /^Retry these 6 / }));
    const dialog = await screen.findByRole('dialog');
    const title = `Retry 6 TimeoutError: upstream did not answer within <n> ms entries of ${ORDERS} up to ${entryAt(9).id}`;
    expect(dialog).toHaveTextContent(title);
    expect(dialog).toHaveTextContent('no entry of another group is');
    const groupReads = fake.requestsTo('/api/events/dlq/groups').length;

    await user.click(within(dialog).getByRole('button', { name: 'Retry 6' }));
    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent('6 retried');
    expect(fake.requestsTo('/api/events/dlq/retry').at(-1)?.data).toEqual({
      upToId: entryAt(9).id,
      stream: ORDERS,
      type: 'order.created',
      failureClass: 'TimeoutError: upstream did not answer within <n> ms',
    });
    expect(publish).toHaveBeenCalledWith(expect.objectContaining({ payload: [title, expect.any(String)] }));
    // The counts on screen are read again after the action.
    await waitFor(() => expect(fake.requestsTo('/api/events/dlq/groups').length).toBeGreaterThan(groupReads));
  });

  it('offers Purge these N to an Admin, typed out before it is sent', async () => {
    const user = userEvent.setup();
    const { fake } = setup({ fake: threeClasses(), role: 'admin' });

    const rows = await groupRows();
    await user.click(within(rows[2]).getByRole('button', { name: /^Purge these 1 / }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(`Purge 1 ${TYPE_ERROR} entry of ${ORDERS} up to ${entryAt(9).id}`);
    await user.type(within(dialog).getByRole('textbox'), 'purge');
    await user.click(within(dialog).getByRole('button', { name: 'Purge 1' }));
    await screen.findByTestId(testIds.dlqPanel.result);
    expect(fake.requestsTo('/api/events/dlq/purge').at(-1)?.data).toEqual({
      confirm: 'purge',
      upToId: entryAt(9).id,
      stream: ORDERS,
      type: 'order.created',
      failureClass: TYPE_ERROR,
    });
  });

  it('marks a failure class that was not there at the previous read', async () => {
    const user = userEvent.setup();
    const fake = threeClasses();
    const first = groupsOf([entryAt(0, { stream: ORDERS, type: 'order.created', reason: TIMEOUT })]);
    fake.on('/api/events/dlq/groups', () => ok(first));
    setup({ fake });
    expect(await groupRows()).toHaveLength(1);
    expect(screen.queryByText('New')).not.toBeInTheDocument();

    fake.on('/api/events/dlq/groups', () =>
      ok(
        groupsOf([
          entryAt(0, { stream: ORDERS, type: 'order.created', reason: TIMEOUT }),
          entryAt(1, { stream: ORDERS, type: 'order.created', reason: INVALID }),
        ])
      )
    );
    await user.click(screen.getByRole('button', { name: 'Read the DLQ again' }));
    await waitFor(async () => expect(await groupRows()).toHaveLength(2));
    const rows = await groupRows();
    expect(within(rows.find((row) => row.textContent?.includes(INVALID))!).getByText('New')).toBeVisible();
    expect(within(rows.find((row) => row.textContent?.includes('TimeoutError'))!).queryByText('New')).toBeNull();
  });

  it('says when the counts are being recounted, and holds the group actions until they are exact', async () => {
    const fake = threeClasses();
    const stale: DlqGroups = { ...groupsOf([entryAt(0, { stream: ORDERS, reason: TIMEOUT })]), stale: true };
    fake.on('/api/events/dlq/groups', () => ok(stale));
    setup({ fake, role: 'admin' });

    const rows = await groupRows();
    expect(screen.getByText('The counts are being recounted')).toBeVisible();
    expect(within(rows[0]).getByRole('button', { name: /^Retry these 1 / })).toBeDisabled();
    expect(within(rows[0]).getByRole('button', { name: /^Purge these 1 / })).toBeDisabled();
  });

  it('explains a failed read of the groups and reads again on "Try again"', async () => {
    const user = userEvent.setup();
    const fake = threeClasses();
    fake.on('/api/events/dlq/groups', () => fail(504, ''));
    setup({ fake });

    const failures = await screen.findByTestId(testIds.dlqPanel.failures);
    const problem = await within(failures).findByTestId(testIds.dlqPanel.problem);
    expect(problem).toHaveTextContent('(504)');
    fake.on('/api/events/dlq/groups', () => ok(groupsOf([entryAt(0, { stream: ORDERS, reason: TIMEOUT })])));
    await user.click(within(problem).getByRole('button', { name: 'Try again' }));
    expect(await groupRows()).toHaveLength(1);
  });

  it('explains a 409 index_stale: nothing changed, read again and repeat', async () => {
    const user = userEvent.setup();
    const fake = threeClasses();
    fake.on('/api/events/dlq/retry', () =>
      fail(409, { error: 'index_stale', message: 'The failure groups are being recounted.' })
    );
    setup({ fake, role: 'editor' });

    const rows = await groupRows();
    await user.click(within(rows[0]).getByRole('button', { name: /^Retry these 6 / }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Retry 6' }));
    expect(await screen.findByTestId(testIds.dlqPanel.result)).toHaveTextContent(
      'The failure groups are being recounted (409)'
    );
  });

  it('shows the largest groups in the compact layout', async () => {
    setup({ fake: threeClasses(), width: 400, height: 250 });

    const top = await screen.findByTestId(testIds.dlqPanel.topFailures);
    const items = within(top).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('6TimeoutError: upstream did not answer within <n> ms');
    expect(screen.queryByTestId(testIds.dlqPanel.failures)).not.toBeInTheDocument();
  });
});
