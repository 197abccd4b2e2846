// Test support for the DlqHealthPanel tests: renders the panel as a dashboard would, over a fake event bus served by
// the fake Grafana runtime (each test file mocks @grafana/runtime with fakeRuntime's runtimeMock), and the steps the
// tests share. Each test file runs `beforeAll(stubIntersectionObserver)` and `beforeEach(resetPanelState)`.
import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EventBusSrv, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';

import { testIds } from 'components/testIds';
import { createFakeEventBus, entryAt, FakeEventBus } from 'dlq/components/__fixtures__/fakeEventBus';
import { connectFakeRuntime } from 'dlq/components/__fixtures__/fakeRuntime';
import { forgetSharedHealth } from 'dlq/hooks/sharedHealth';
import { DEFAULT_OPTIONS, DlqPanelOptions } from 'dlq/options';

import { DLQ_ACTIONS } from '../../../constants';
import { DlqHealthPanel } from '../DlqHealthPanel';

const { read, retry, purge } = DLQ_ACTIONS;
const ROLES = {
  viewer: [read],
  editor: [read, retry],
  admin: [read, retry, purge],
  /** A custom role that may purge but not retry, so not stop either (the stop route requires the retry action). */
  purgeOnly: [read, purge],
};

interface Setup {
  size?: number;
  role?: keyof typeof ROLES;
  options?: Partial<DlqPanelOptions>;
  width?: number;
  height?: number;
  eventBus?: EventBusSrv;
  fake?: FakeEventBus;
  /** The panel runs no query (skipDataQuery): the dashboard is only known from `${__dashboard.uid}`. */
  dashboardVariable?: string;
}

/** Renders the panel for a user with `role` over `fake` (by default a fake DLQ of `size` entries). */
export function setup({ size = 7, role = 'admin', fake = createFakeEventBus(size), ...rest }: Setup = {}) {
  connectFakeRuntime(fake, ROLES[role]);
  return { fake, ...renderPanel(rest) };
}

/** Renders one more panel over whatever the runtime already serves, as a second panel on the same dashboard. */
export function renderPanel({
  options,
  width = 1000,
  height = 700,
  eventBus = new EventBusSrv(),
  dashboardVariable,
}: Omit<Setup, 'size' | 'role' | 'fake'>) {
  const props = {
    id: 7,
    data: {
      state: LoadingState.Done,
      series: [],
      timeRange: getDefaultTimeRange(),
      request: dashboardVariable === undefined ? { dashboardUID: 'dash-1' } : undefined,
    },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width,
    height,
    renderCounter: 0,
    title: 'DLQ',
    eventBus,
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (value: string) =>
      value === '${__dashboard.uid}' && dashboardVariable ? dashboardVariable : value,
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<DlqPanelOptions>;
  return { eventBus, ...render(<DlqHealthPanel {...props} />) };
}

/** Switches the full panel to its Entries view (it opens on Failures when the DLQ holds entries). */
export async function showEntries() {
  const view = await screen.findByTestId(testIds.dlqPanel.view);
  const entries = within(view).getByRole('radio', { name: 'Entries' });
  if (!(entries as HTMLInputElement).checked) {
    fireEvent.click(entries);
  }
}

export async function table() {
  await showEntries();
  return within(await screen.findByTestId(testIds.dlqPanel.entries)).findByRole('table');
}

export function listParams(fake: FakeEventBus) {
  return fake.requestsTo('/api/events/dlq').map((request) => request.params);
}

/** Ticks the entries at `indexes`, clicks `button` and returns the confirmation dialog it opens. */
export async function selectAndOpen(user: ReturnType<typeof userEvent.setup>, button: RegExp, indexes: number[] = [0]) {
  await table();
  for (const index of indexes) {
    await user.click(screen.getByRole('checkbox', { name: `Select entry ${entryAt(index).id}` }));
  }
  await user.click(screen.getByRole('button', { name: button }));
  return screen.findByRole('dialog');
}

export function lastBody(fake: FakeEventBus, path: string) {
  return fake.requestsTo(path).at(-1)?.data;
}

export function stubIntersectionObserver() {
  // jsdom has no IntersectionObserver; Grafana's Select uses one for its menu.
  window.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
}

export function resetPanelState() {
  forgetSharedHealth();
  Object.assign(config.bootData.user, { login: 'alice' });
}
