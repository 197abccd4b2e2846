import { useCallback, useEffect, useState } from 'react';

import { CatalogRunbook, loadRunbookContent, RunbookContent } from './catalog';

export type ContentState =
  | { status: 'loading' }
  | { status: 'loaded'; content: RunbookContent }
  | { status: 'error'; error: Error; retry: () => void };

/** A runbook's body, loaded with its chunk; after a failed load (a dropped connection), `retry` tries again. */
export function useRunbookContent(runbook: CatalogRunbook | undefined): ContentState {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ key: string; state: ContentState } | undefined>();
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const key = `${runbook?.slug}#${attempt}`;

  useEffect(() => {
    if (!runbook) {
      return;
    }
    let current = true;
    loadRunbookContent(runbook).then(
      (content) => current && setState({ key, state: { status: 'loaded', content } }),
      (error: unknown) =>
        current &&
        setState({
          key,
          state: { status: 'error', error: error instanceof Error ? error : new Error(String(error)), retry },
        })
    );
    return () => {
      current = false;
    };
  }, [runbook, key, retry]);

  // A state from another runbook (or an earlier attempt) is never shown.
  return state?.key === key ? state.state : { status: 'loading' };
}
