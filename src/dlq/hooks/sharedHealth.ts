import { getEventBusHealth } from 'api/eventBus';
import { EventBusHealth } from 'api/eventBusTypes';
import { getAppSettings } from 'api/pluginSettings';

import { NOT_CONFIGURED, PanelProblem, toPanelProblem } from '../problems';

export type HealthLoad = { kind: 'health'; health: EventBusHealth } | { kind: 'problem'; problem: PanelProblem };

// Every DLQ panel on a dashboard refreshes on the same RefreshEvent: while one health request is in flight the
// others join it instead of sending their own, so a refresh costs one request whatever the number of panels. Only a
// request that started moments ago is joined: a later refresh or "try again" deserves a fresh answer.
const JOIN_WINDOW_MS = 2000;
let inFlight: { promise: Promise<HealthLoad>; startedAt: number } | undefined;

/** The event bus's health, shared by every caller during one refresh. Never rejects. */
export function loadSharedHealth(): Promise<HealthLoad> {
  const now = Date.now();
  if (inFlight && now - inFlight.startedAt < JOIN_WINDOW_MS) {
    return inFlight.promise;
  }
  const current = { promise: loadHealth(), startedAt: now };
  inFlight = current;
  const clear = () => {
    if (inFlight === current) {
      inFlight = undefined;
    }
  };
  current.promise.then(clear, clear);
  return current.promise;
}

/** Forgets the request in flight, so that tests start from a clean slate. */
export function forgetSharedHealth() {
  inFlight = undefined;
}

async function loadHealth(): Promise<HealthLoad> {
  try {
    return { kind: 'health', health: await getEventBusHealth() };
  } catch (error) {
    // Only on failure is it worth asking Grafana whether the app is configured at all: a missing URL or token fails
    // in the proxy with an answer that says nothing about the cause.
    if (await isNotConfigured()) {
      return { kind: 'problem', problem: NOT_CONFIGURED };
    }
    return { kind: 'problem', problem: toPanelProblem(error) };
  }
}

async function isNotConfigured(): Promise<boolean> {
  try {
    const settings = await getAppSettings();
    return !settings.jsonData.eventBusUrl || !settings.secureJsonFields.eventBusToken;
  } catch {
    // Settings unreadable (role, older Grafana): fall back to explaining the health call's own failure.
    return false;
  }
}
