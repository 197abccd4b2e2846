import { useCallback, useEffect, useState } from 'react';

import { isCancelled, newRequestId, listDlq } from 'api/eventBus';
import { DlqPage } from 'api/eventBusTypes';

import { PanelProblem, toPanelProblem } from '../problems';

export interface DlqFilters {
  /** Origin stream key; all streams when undefined. */
  stream?: string;
  /** Substring of type or reason. */
  q?: string;
  /** With `stream`, one failure group's entries. */
  group?: { type: string; failureClass: string };
}

export interface DlqEntriesState {
  page?: DlqPage;
  /** When the page was read (epoch ms): entry ages are measured from it. */
  readAt: number;
  /** Zero-based index of the page on screen. */
  pageIndex: number;
  loading: boolean;
  problem?: PanelProblem;
  hasPrevious: boolean;
  hasNext: boolean;
  next: () => void;
  previous: () => void;
  /** Reads the page on screen again (same cursor). */
  reload: () => void;
  /** Goes back to the first page and reads it. */
  restart: () => void;
}

const FIRST_PAGE: Array<string | undefined> = [undefined];

/**
 * One page of the DLQ at a time, oldest first, by cursor: the panel never holds more than a page, whatever the DLQ
 * size. The cursors of the pages already seen are kept so "previous" can go back.
 */
export function useDlqEntries(
  filters: DlqFilters,
  pageSize: number,
  refreshKey: number,
  isEnabled = true
): DlqEntriesState {
  // One request id per panel instance: a newer read supersedes (and cancels) the older one.
  const [requestId] = useState(() => newRequestId('dlq-list'));
  const [paging, setPaging] = useState<{ filterKey: string; cursors: Array<string | undefined> }>();
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ key: string; page?: DlqPage; readAt?: number; problem?: PanelProblem }>();
  const { stream, q, group } = filters;

  // Cursors belong to the filters they were read with: another filter or page size starts from the first page.
  const filterKey = JSON.stringify([stream ?? '', q ?? '', group?.type, group?.failureClass, pageSize]);
  const cursors = paging?.filterKey === filterKey ? paging.cursors : FIRST_PAGE;

  const after = cursors[cursors.length - 1];
  const key = `${filterKey}\n${after ?? ''}\n${refreshKey}\n${attempt}`;

  useEffect(() => {
    if (!isEnabled) {
      return;
    }
    let isCurrent = true;
    listDlq(
      { limit: pageSize, after, stream, q, type: group?.type, failureClass: group?.failureClass },
      { requestId }
    ).then(
      (page) => isCurrent && setState({ key, page, readAt: Date.now() }),
      (error) => {
        if (isCurrent && !isCancelled(error)) {
          setState({ key, problem: toPanelProblem(error) });
        }
      }
    );
    return () => {
      isCurrent = false;
    };
    // `key` covers every input of the request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, isEnabled]);

  const page = state?.page;
  const next = useCallback(() => {
    if (page?.nextCursor) {
      setPaging({ filterKey, cursors: [...cursors, page.nextCursor] });
    }
  }, [page, filterKey, cursors]);
  const previous = useCallback(() => {
    if (cursors.length > 1) {
      setPaging({ filterKey, cursors: cursors.slice(0, -1) });
    }
  }, [filterKey, cursors]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const restart = useCallback(() => {
    setPaging({ filterKey, cursors: FIRST_PAGE });
    setAttempt((n) => n + 1);
  }, [filterKey]);

  const isCurrentPage = state?.key === key;
  return {
    page,
    readAt: state?.readAt ?? 0,
    pageIndex: cursors.length - 1,
    loading: isEnabled && !isCurrentPage,
    problem: isCurrentPage ? state?.problem : undefined,
    hasPrevious: cursors.length > 1,
    hasNext: isCurrentPage && Boolean(page?.nextCursor),
    next,
    previous,
    reload,
    restart,
  };
}
