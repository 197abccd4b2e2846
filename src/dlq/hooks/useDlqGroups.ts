import { useCallback, useEffect, useRef, useState } from 'react';

import { isCancelled, newRequestId, listDlqGroups } from 'api/eventBus';
import { DlqGroups, GroupKey } from 'api/eventBusTypes';

import { PanelProblem, toPanelProblem } from '../problems';

export interface DlqGroupsState {
  groups?: DlqGroups;
  /** When the groups were read (epoch ms): ages are measured from it. */
  readAt: number;
  loading: boolean;
  problem?: PanelProblem;
  /** Keys (groupKeyOf) of the groups whose failure class was not in the previous read of the same stream filter. */
  newKeys: ReadonlySet<string>;
  reload: () => void;
}

/** The groups a DLQ view lists; the rest are summed by the service in `other`. */
export const GROUPS_LIMIT = 50;

const NONE: ReadonlySet<string> = new Set();

/** One string per failure group, for keys and for telling a new class from one seen before. */
export function groupKeyOf({ stream, type, failureClass }: GroupKey): string {
  return JSON.stringify([stream, type, failureClass]);
}

/**
 * The DLQ by failure group, read again with the view. A group not in the previous read (of the same stream filter) is
 * new: a failure the operator has not seen on this screen yet. The first read marks nothing.
 */
export function useDlqGroups(stream: string | undefined, refreshKey: number, isEnabled: boolean): DlqGroupsState {
  const [requestId] = useState(() => newRequestId('dlq-groups'));
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{
    key: string;
    stream?: string;
    groups?: DlqGroups;
    readAt?: number;
    problem?: PanelProblem;
    newKeys: ReadonlySet<string>;
  }>();
  const seen = useRef<{ stream?: string; keys: ReadonlySet<string> }>();
  const key = `${stream ?? ''}\n${refreshKey}\n${attempt}`;

  useEffect(() => {
    if (!isEnabled) {
      return;
    }
    let isCurrent = true;
    listDlqGroups({ stream, limit: GROUPS_LIMIT }, { requestId }).then(
      (groups) => {
        if (!isCurrent) {
          return;
        }
        const keys = new Set(groups.groups.map(groupKeyOf));
        const previous = seen.current && seen.current.stream === stream ? seen.current.keys : undefined;
        const newKeys = previous ? new Set([...keys].filter((k) => !previous.has(k))) : NONE;
        seen.current = { stream, keys };
        setState({ key, stream, groups, readAt: Date.now(), newKeys });
      },
      (error) => {
        if (isCurrent && !isCancelled(error)) {
          setState({ key, stream, problem: toPanelProblem(error), newKeys: NONE });
        }
      }
    );
    return () => {
      isCurrent = false;
    };
    // `key` covers every input of the request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, isEnabled]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const isCurrentRead = state?.key === key;
  // The groups on screen stay while the next read of the same stream runs, so a refresh does not blank the table.
  const isSameStream = state?.stream === stream;
  return {
    groups: isSameStream ? state?.groups : undefined,
    readAt: state?.readAt ?? 0,
    loading: isEnabled && !isCurrentRead,
    problem: isCurrentRead ? state?.problem : undefined,
    newKeys: isSameStream ? (state?.newKeys ?? NONE) : NONE,
    reload,
  };
}
