// Test support: stand-ins for the parts of @grafana/runtime the DLQ view calls (the backend service, app events and
// permissions). jest.mock factories are hoisted per test file, so each file mocks the runtime with one line:
//   jest.mock('@grafana/runtime', () => require('dlq/components/__fixtures__/fakeRuntime').runtimeMock());
// This module loads nothing from @grafana/runtime at import time, so that factory can require it from anywhere.
import type { EventBus } from '@grafana/data';

import { FakeEventBus } from './fakeEventBus';

/** Grafana's backend service `fetch`; `connectFakeRuntime` points it at a fake event bus. */
export const fetch = jest.fn();
/** Grafana's app events: every event published (the toasts, the DLQ changes), also delivered on `appEvents`. */
export const publish = jest.fn();
const permissions = new Set<string>();
let appEvents: EventBus | undefined;

/**
 * Grafana's one app event bus for the page, a real `EventBusSrv`, so the views on one test's page hear each other;
 * `publish` records what goes through it.
 */
export function getAppEvents(): EventBus {
  const { EventBusSrv } = jest.requireActual('@grafana/data');
  const bus: EventBus = (appEvents ??= new EventBusSrv());
  return {
    ...bus,
    publish: (event) => {
      publish(event);
      bus.publish(event);
    },
    getStream: (type) => bus.getStream(type),
    subscribe: (type, handler) => bus.subscribe(type, handler),
    removeAllListeners: () => bus.removeAllListeners(),
    newScopedBus: (key, filter) => bus.newScopedBus(key, filter),
  };
}

/** The module `@grafana/runtime` is replaced with: the real one, with the three stand-ins above. */
export function runtimeMock() {
  return {
    ...jest.requireActual('@grafana/runtime'),
    getBackendSrv: () => ({ fetch }),
    getAppEvents,
    hasPermission: (action: string) => permissions.has(action),
  };
}

/** Serves Grafana's `fetch` from `fake` and grants exactly `actions`; call it in each test (`resetMocks` is on). */
export function connectFakeRuntime(fake: FakeEventBus, actions: readonly string[]) {
  permissions.clear();
  actions.forEach((action) => permissions.add(action));
  fetch.mockImplementation((request) => fake.fetch(request));
}
