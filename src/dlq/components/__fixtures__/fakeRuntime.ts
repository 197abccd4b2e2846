// Test support: stand-ins for the parts of @grafana/runtime the DLQ view calls (the backend service, app events and
// permissions). jest.mock factories are hoisted per test file, so each file mocks the runtime with one line:
//   jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());
// This module loads nothing from @grafana/runtime at import time, so that factory can require it from anywhere.
import { FakeEventBus } from './fakeEventBus';

/** Grafana's backend service `fetch`; `connectFakeRuntime` points it at a fake event bus. */
export const fetch = jest.fn();
/** Grafana's app events: the toasts the view raises. */
export const publish = jest.fn();
const permissions = new Set<string>();

/** The module `@grafana/runtime` is replaced with: the real one, with the three stand-ins above. */
export function runtimeMock() {
  return {
    ...jest.requireActual('@grafana/runtime'),
    getBackendSrv: () => ({ fetch }),
    getAppEvents: () => ({ publish }),
    hasPermission: (action: string) => permissions.has(action),
  };
}

/** Serves Grafana's `fetch` from `fake` and grants exactly `actions`; call it in each test (`resetMocks` is on). */
export function connectFakeRuntime(fake: FakeEventBus, actions: readonly string[]) {
  permissions.clear();
  actions.forEach((action) => permissions.add(action));
  fetch.mockImplementation((request) => fake.fetch(request));
}
