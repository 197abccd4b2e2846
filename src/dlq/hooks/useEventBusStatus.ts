import { useCallback, useEffect, useState } from 'react';

import { getEventBusHealth } from 'api/eventBus';
import { EventBusHealth } from 'api/eventBusTypes';
import { describeEventBusProblem, EventBusProblem } from 'dlq/eventBusStatus';
import { describeSettingsError, getAppSettings } from 'api/pluginSettings';

export type EventBusStatus =
  | { kind: 'not-configured'; isUrlMissing: boolean; isTokenMissing: boolean }
  | { kind: 'settings-unavailable'; message: string }
  | { kind: 'health'; health: EventBusHealth }
  | { kind: 'problem'; problem: EventBusProblem };

export interface EventBusStatusState {
  status?: EventBusStatus;
  loading: boolean;
  reload: () => void;
}

/** Whether the event bus is configured, and if so what its health route answers through the proxy. */
export function useEventBusStatus(): EventBusStatusState {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ attempt: number; status: EventBusStatus }>();

  useEffect(() => {
    let isCurrent = true;
    loadStatus().then((status) => {
      if (isCurrent) {
        setResult({ attempt, status });
      }
    });
    return () => {
      isCurrent = false;
    };
  }, [attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { status: result?.status, loading: result?.attempt !== attempt, reload };
}

async function loadStatus(): Promise<EventBusStatus> {
  let isUrlMissing: boolean;
  let isTokenMissing: boolean;
  try {
    const settings = await getAppSettings();
    isUrlMissing = !settings.jsonData.eventBusUrl;
    isTokenMissing = !settings.secureJsonFields.eventBusToken;
  } catch (error) {
    return { kind: 'settings-unavailable', message: describeSettingsError(error) };
  }
  if (isUrlMissing || isTokenMissing) {
    return { kind: 'not-configured', isUrlMissing, isTokenMissing };
  }
  try {
    return { kind: 'health', health: await getEventBusHealth() };
  } catch (error) {
    return { kind: 'problem', problem: describeEventBusProblem(error) };
  }
}
