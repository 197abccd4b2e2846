import { useCallback, useEffect, useState } from 'react';

import { HealthLoad, loadSharedHealth } from './sharedHealth';

export interface DlqHealthState {
  result?: HealthLoad;
  loading: boolean;
  reload: () => void;
}

/** The event bus's health, read again whenever `refreshKey` changes or `reload` is called. */
export function useDlqHealth(refreshKey: number): DlqHealthState {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ key: string; result: HealthLoad }>();
  const key = `${refreshKey}:${attempt}`;

  useEffect(() => {
    let isCurrent = true;
    loadSharedHealth().then((result) => {
      if (isCurrent) {
        setState({ key, result });
      }
    });
    return () => {
      isCurrent = false;
    };
  }, [key]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  // The previous answer stays on screen while the next one loads, so a refresh does not flicker.
  return { result: state?.result, loading: state?.key !== key, reload };
}
