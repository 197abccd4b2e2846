import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Button, LinkButton, LoadingPlaceholder, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';

import { FailureGroup, GroupKey } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';
import { besidePath, runbookPath } from 'runbooks/urls';

import { verdictOf } from '../health';
import { REDIS_DOWN } from '../problems';
import { DlqActionsState, useDlqActions } from '../hooks/useDlqActions';
import { ActionPlan, planSummary, resultSummary } from '../actions';
import { newViewId, useDlqChanges } from '../hooks/dlqChanges';
import { useDlqEntries } from '../hooks/useDlqEntries';
import { useDlqGroups } from '../hooks/useDlqGroups';
import { useDlqHealth } from '../hooks/useDlqHealth';
import { DlqPanelOptions, Layout, streamKey } from '../options';
import { ActionBar } from './ActionBar';
import { ActionProgress } from './ActionProgress';
import { ActionResult } from './ActionResult';
import { ConfirmAction } from './ConfirmAction';
import { DlqFilters } from './DlqFilters';
import { EntriesList } from './EntriesList';
import { FailureGroups, TopFailureGroups } from './FailureGroups';
import { ProblemMessage } from './ProblemMessage';
import { HealthSummary } from './HealthSummary';

interface Props {
  options: DlqPanelOptions;
  layout: Layout;
  /** Changes on every dashboard refresh the view should follow. */
  refreshKey: number;
  /** The dashboard the view sits on: runbook links open beside it and annotations land on it. */
  dashboardUid?: string;
}

type View = 'failures' | 'entries';

const VIEWS: Array<{ label: string; value: View; description: string }> = [
  { label: 'Failures', value: 'failures', description: 'The DLQ by failure group, largest first' },
  { label: 'Entries', value: 'entries', description: 'The DLQ entries one by one, oldest first' },
];

/**
 * The DLQ health panel's content, shared by the panel plugin and the runbook pages' live block: health at a glance
 * with the largest failure groups, and in the full layout the failure groups and the entries with their actions.
 */
export const DlqHealthView = ({ options, layout, refreshKey, dashboardUid }: Props) => {
  const styles = useStyles2(getStyles);
  const health = useDlqHealth(refreshKey);
  // The stream picked in the panel wins until the panel's own default changes in the editor.
  const defaultStream = streamKey(options.stream);
  const [streamChoice, setStreamChoice] = useState<{ from?: string; value?: string }>();
  const stream = streamChoice && streamChoice.from === defaultStream ? streamChoice.value : defaultStream;
  const [q, setQ] = useState<string>();
  // The failure group the entries are filtered to, when one was opened from the Failures view.
  const [group, setGroup] = useState<GroupKey>();
  const [view, setView] = useState<View>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const isFull = layout === 'full';
  const healthDoc = health.result?.kind === 'health' ? health.result.health : undefined;
  // With Redis down nothing can be listed or changed; the health says so and links to what to do.
  const isHealthy = Boolean(healthDoc && healthDoc.status !== 'down');
  const depth = healthDoc?.dlq?.length;
  // The first answer picks the view: the failures when the DLQ holds any, else the (empty) entries. After that the
  // view stays where the operator put it, so an action never moves the screen under them.
  if (view === undefined && typeof depth === 'number') {
    setView(depth > 0 ? 'failures' : 'entries');
  }
  const shownView = view ?? 'failures';
  const entryFilters = useMemo(() => (group ? { stream: group.stream, q, group } : { stream, q }), [group, stream, q]);
  const entries = useDlqEntries(
    entryFilters,
    options.pageSize,
    refreshKey,
    isFull && isHealthy && shownView === 'entries'
  );
  const groups = useDlqGroups(stream, refreshKey, isHealthy && (!isFull || shownView === 'failures'));

  const { reload: reloadHealth } = health;
  const { restart: restartEntries, reload: reloadEntries } = entries;
  const { reload: reloadGroups } = groups;
  const onChanged = useCallback(() => {
    setSelected(new Set());
    reloadHealth();
    restartEntries();
    reloadGroups();
  }, [reloadHealth, restartEntries, reloadGroups]);
  const [viewId] = useState(newViewId);
  const actions = useDlqActions({ viewId, dashboardUID: dashboardUid, onChanged });
  const { request: requestAction, dismiss: dismissAction, progressRef, resultRef } = useActionFocus(actions);
  // Another view on the page (the dashboard's panel beside a runbook, or a runbook's live block) changed the DLQ:
  // read it again where the operator is, keeping their page and selection (entries that left simply drop out).
  const onOtherViewChanged = useCallback(() => {
    reloadHealth();
    reloadEntries();
    reloadGroups();
  }, [reloadHealth, reloadEntries, reloadGroups]);
  useDlqChanges(viewId, onOtherViewChanged);

  const pageEntries = useMemo(() => entries.page?.entries ?? [], [entries.page]);
  const selectedEntries = pageEntries.filter((entry) => selected.has(entry.id));
  const onToggle = useCallback((id: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) {
        next.add(id);
      }
      return next;
    });
  }, []);
  const onToggleAll = useCallback(
    () =>
      setSelected((previous) =>
        pageEntries.every((entry) => previous.has(entry.id)) ? new Set() : new Set(pageEntries.map((entry) => entry.id))
      ),
    [pageEntries]
  );
  const changeFilter = (apply: () => void) => {
    setSelected(new Set());
    apply();
  };
  const onStreamChange = useCallback(
    (value?: string) =>
      changeFilter(() => {
        setGroup(undefined);
        setStreamChoice({ from: defaultStream, value });
      }),
    [defaultStream]
  );
  const onOpenGroup = useCallback(
    (opened: FailureGroup) =>
      changeFilter(() => {
        setGroup({ stream: opened.stream, type: opened.type, failureClass: opened.failureClass });
        setQ(undefined);
        setView('entries');
      }),
    []
  );
  const onViewChange = useCallback((next: View) => {
    setSelected(new Set());
    setView(next);
  }, []);
  const onQueryChange = useCallback((value?: string) => changeFilter(() => setQ(value)), []);
  const clearSelection = useCallback(() => setSelected(new Set()), []);

  const runbookHref = dashboardUid ? besidePath(options.runbook, dashboardUid) : runbookPath(options.runbook);
  const result = health.result;
  const isActionable = options.showActions && (actions.canRetry || actions.canPurge);
  const selectionControls = useMemo(
    () => (isActionable ? { selected, onToggle, onToggleAll, isDisabled: actions.isRunning } : undefined),
    [isActionable, selected, onToggle, onToggleAll, actions.isRunning]
  );

  return (
    <div className={styles.container} data-testid={testIds.dlqPanel.container}>
      <Stack direction="column" gap={1.5}>
        <Stack justifyContent="space-between" alignItems="flex-start" gap={1}>
          <div className={styles.grow}>
            {!result ? (
              <LoadingPlaceholder text="Reading the DLQ..." />
            ) : result.kind === 'problem' ? (
              <ProblemMessage problem={result.problem} onRetry={health.reload} />
            ) : (
              <Stack direction="column" gap={1}>
                <HealthSummary health={result.health} verdict={verdictOf(result.health, options)} layout={layout} />
                {stream && (
                  <Text>
                    {result.health.dlq?.byStream?.[stream] ?? 0} in the DLQ from <code>{stream}</code>
                  </Text>
                )}
                {result.health.status === 'down' && <ProblemMessage problem={REDIS_DOWN} onRetry={health.reload} />}
                {!isFull && isHealthy && <TopFailureGroups state={groups} />}
              </Stack>
            )}
          </div>
          <Stack gap={1} alignItems="center">
            <LinkButton
              size="sm"
              variant="secondary"
              fill="text"
              href={runbookHref}
              icon="book-open"
              data-testid={testIds.dlqPanel.runbookLink}
            >
              Runbook
            </LinkButton>
            <Button
              size="sm"
              variant="secondary"
              icon="sync"
              aria-label="Read the DLQ again"
              disabled={health.loading || entries.loading || groups.loading}
              onClick={onChanged}
            />
          </Stack>
        </Stack>

        {isFull && isHealthy && (
          <>
            {options.showActions && actions.running && (
              <div ref={progressRef} tabIndex={-1} className={styles.focusTarget}>
                <ActionProgress
                  plan={actions.running}
                  canStop={actions.canStop}
                  stop={actions.stop}
                  onStop={actions.requestStop}
                />
              </div>
            )}
            {options.showActions && actions.outcome && (
              <div ref={resultRef} tabIndex={-1} className={styles.focusTarget}>
                <ActionResult
                  outcome={actions.outcome}
                  isRunning={actions.isRunning}
                  onRepeat={actions.repeat}
                  onDismiss={actions.clearOutcome}
                  onShowStream={onStreamChange}
                />
              </div>
            )}
            <div data-testid={testIds.dlqPanel.view}>
              <RadioButtonGroup<View> size="sm" options={VIEWS} value={shownView} onChange={onViewChange} />
            </div>
            {shownView === 'failures' ? (
              <FailureGroups
                state={groups}
                stream={stream}
                canRetry={options.showActions && actions.canRetry}
                canPurge={options.showActions && actions.canPurge}
                showReadOnly={options.showActions && !actions.canRetry && !actions.canPurge}
                isBusy={actions.isRunning}
                onOpen={onOpenGroup}
                onRequest={requestAction}
              />
            ) : (
              <>
                <DlqFilters
                  streams={Object.keys(healthDoc?.dlq?.byStream ?? {})}
                  stream={entryFilters.stream}
                  q={q}
                  onStreamChange={onStreamChange}
                  onQueryChange={onQueryChange}
                />
                {group && (
                  <Stack gap={1} alignItems="center" wrap="wrap" data-testid={testIds.dlqPanel.groupFilter}>
                    <Text variant="bodySmall">
                      Failure group: <strong>{group.failureClass}</strong>, type {group.type || '(none)'}
                    </Text>
                    <Button
                      size="sm"
                      variant="secondary"
                      fill="text"
                      icon="times"
                      onClick={() => onStreamChange(group.stream)}
                    >
                      All entries of {group.stream}
                    </Button>
                  </Stack>
                )}
                {options.showActions && (
                  <ActionBar
                    page={entries.page}
                    selected={selectedEntries}
                    stream={entryFilters.stream}
                    group={group}
                    hasTextFilter={Boolean(q)}
                    canRetry={actions.canRetry}
                    canPurge={actions.canPurge}
                    isBusy={actions.isRunning || entries.loading}
                    onRequest={requestAction}
                  />
                )}
                <EntriesList
                  entries={entries}
                  scope={group ? ' of this failure group' : entryFilters.stream ? ` of ${entryFilters.stream}` : ''}
                  isFiltered={Boolean(q || entryFilters.stream)}
                  hasTextFilter={Boolean(q)}
                  showStream={!entryFilters.stream}
                  selection={selectionControls}
                  onPageChange={clearSelection}
                />
              </>
            )}
            <ConfirmAction
              plan={actions.planned}
              isRunning={actions.isRunning}
              onConfirm={actions.confirm}
              onDismiss={dismissAction}
            />
          </>
        )}
        {!isFull && isHealthy && (
          <Text variant="bodySmall" color="secondary">
            Make the panel larger to inspect, retry or purge the entries.
          </Text>
        )}
        {/* In the page before any action, empty: a screen reader announces a live region when its text changes, not
            when it appears. A failed action is announced by its own error box (role=alert). */}
        <div role="status" className={styles.visuallyHidden} data-testid={testIds.dlqPanel.announcement}>
          {announcementOf(actions)}
        </div>
      </Stack>
    </div>
  );
};

/** What the live region says about the action: running, then its result. */
function announcementOf({ running, outcome }: DlqActionsState): string {
  if (running) {
    return `${planSummary(running)}: running.`;
  }
  if (outcome?.result) {
    return `${planSummary(outcome.plan)}: ${resultSummary(outcome.plan, outcome.result)}`;
  }
  if (outcome?.isTimedOut) {
    return `${planSummary(outcome.plan)}: no answer within the deadline; the outcome is unknown.`;
  }
  return '';
}

/**
 * Where the keyboard focus goes around an action: back to the button that opened the confirmation when it is
 * cancelled, and to the action's progress and then its result when it is confirmed (the button that opened it is
 * disabled meanwhile, and a disabled button cannot hold the focus).
 */
function useActionFocus(actions: DlqActionsState) {
  const opener = useRef<HTMLElement | null>(null);
  const progressRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const { request: requestAction, dismiss: dismissAction, running, outcome } = actions;

  const request = useCallback(
    (plan: ActionPlan) => {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      requestAction(plan);
    },
    [requestAction]
  );
  const dismiss = useCallback(() => {
    dismissAction();
    // After the modal has gone, with the focus trap that held the focus inside it.
    requestAnimationFrame(() => opener.current?.focus());
  }, [dismissAction]);

  // Only when the focus is nowhere (the closed modal left it on <body>) or on the progress: never taken from a
  // control the operator moved to meanwhile.
  const isFocusFree = () =>
    document.activeElement === document.body || Boolean(progressRef.current?.contains(document.activeElement));
  useEffect(() => {
    if (running && isFocusFree()) {
      progressRef.current?.focus();
    }
  }, [running]);
  useEffect(() => {
    if (outcome && isFocusFree()) {
      resultRef.current?.focus();
    }
  }, [outcome]);

  return { request, dismiss, progressRef, resultRef };
}

const getStyles = (theme: GrafanaTheme2) => ({
  visuallyHidden: css({
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  }),
  focusTarget: css({
    '&:focus-visible': {
      outline: `2px solid ${theme.colors.primary.main}`,
      outlineOffset: 2,
    },
  }),
  container: css({
    height: '100%',
    overflow: 'auto',
    padding: theme.spacing(0.5),
  }),
  grow: css({
    flexGrow: 1,
    minWidth: 0,
  }),
});
