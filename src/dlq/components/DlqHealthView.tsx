import React, { useCallback, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Button, EmptyState, LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { besidePath, runbookPath } from 'runbooks/urls';

import { verdictOf } from '../health';
import { REDIS_DOWN } from '../problems';
import { useDlqActions } from '../hooks/useDlqActions';
import { useDlqEntries } from '../hooks/useDlqEntries';
import { useDlqHealth } from '../hooks/useDlqHealth';
import { DlqPanelOptions, Layout, streamKey } from '../options';
import { ActionBar } from './ActionBar';
import { ActionResult } from './ActionResult';
import { ConfirmAction } from './ConfirmAction';
import { DlqEntriesTable } from './DlqEntriesTable';
import { DlqFilters } from './DlqFilters';
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

/**
 * The DLQ health panel's content, shared by the panel plugin and the runbook pages' live block: health at a glance,
 * and in the full layout the entries with their actions.
 */
export const DlqHealthView = ({ options, layout, refreshKey, dashboardUid }: Props) => {
  const styles = useStyles2(getStyles);
  const health = useDlqHealth(refreshKey);
  // The stream picked in the panel wins until the panel's own default changes in the editor.
  const defaultStream = streamKey(options.stream);
  const [streamChoice, setStreamChoice] = useState<{ from?: string; value?: string }>();
  const stream = streamChoice && streamChoice.from === defaultStream ? streamChoice.value : defaultStream;
  const [q, setQ] = useState<string>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const isFull = layout === 'full';
  const healthDoc = health.result?.kind === 'health' ? health.result.health : undefined;
  // With Redis down nothing can be listed or changed; the health says so and links to what to do.
  const isHealthy = Boolean(healthDoc && healthDoc.status !== 'down');
  const entries = useDlqEntries({ stream, q }, options.pageSize, refreshKey, isFull && isHealthy);

  const { reload: reloadHealth } = health;
  const { restart: restartEntries } = entries;
  const onChanged = useCallback(() => {
    setSelected(new Set());
    reloadHealth();
    restartEntries();
  }, [reloadHealth, restartEntries]);
  const actions = useDlqActions({ dashboardUID: dashboardUid, onChanged });

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
    (value?: string) => changeFilter(() => setStreamChoice({ from: defaultStream, value })),
    [defaultStream]
  );
  const onQueryChange = useCallback((value?: string) => changeFilter(() => setQ(value)), []);
  const onPage = (move: () => void) => () => {
    setSelected(new Set());
    move();
  };

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
              disabled={health.loading || entries.loading}
              onClick={onChanged}
            />
          </Stack>
        </Stack>

        {isFull && isHealthy && (
          <>
            {options.showActions && actions.outcome && (
              <ActionResult
                outcome={actions.outcome}
                isRunning={actions.isRunning}
                onRepeat={actions.repeat}
                onDismiss={actions.clearOutcome}
                onShowStream={onStreamChange}
              />
            )}
            <DlqFilters
              streams={Object.keys(healthDoc?.dlq?.byStream ?? {})}
              stream={stream}
              q={q}
              onStreamChange={onStreamChange}
              onQueryChange={onQueryChange}
            />
            {options.showActions && (
              <ActionBar
                page={entries.page}
                selected={selectedEntries}
                stream={stream}
                hasTextFilter={Boolean(q)}
                canRetry={actions.canRetry}
                canPurge={actions.canPurge}
                isBusy={actions.isRunning || entries.loading}
                onRequest={actions.request}
              />
            )}
            <div data-testid={testIds.dlqPanel.entries} aria-busy={entries.loading}>
              {entries.problem ? (
                <ProblemMessage problem={entries.problem} onRetry={entries.reload} />
              ) : !entries.page ? (
                <LoadingPlaceholder text="Reading the DLQ entries..." />
              ) : entries.page.entries.length === 0 && entries.pageIndex === 0 ? (
                <EmptyState
                  variant="completed"
                  message={q || stream ? 'No DLQ entries match these filters' : 'The DLQ is empty'}
                />
              ) : (
                <DlqEntriesTable
                  entries={entries.page.entries}
                  showStream={!stream}
                  selection={selectionControls}
                  now={entries.readAt}
                />
              )}
            </div>
            {entries.page && (
              <Stack gap={1} alignItems="center" data-testid={testIds.dlqPanel.paging}>
                <Button
                  size="sm"
                  variant="secondary"
                  icon="angle-left"
                  disabled={!entries.hasPrevious || entries.loading}
                  onClick={onPage(entries.previous)}
                >
                  Previous
                </Button>
                <Text variant="bodySmall">
                  Page {entries.pageIndex + 1} · {entries.page.total} {entries.page.total === 1 ? 'entry' : 'entries'}
                  {stream ? ` of ${stream}` : ''}
                  {q ? ' (the text filter is not counted)' : ''}, oldest first
                </Text>
                <Button
                  size="sm"
                  variant="secondary"
                  icon="angle-right"
                  disabled={!entries.hasNext || entries.loading}
                  onClick={onPage(entries.next)}
                >
                  Next
                </Button>
              </Stack>
            )}
            <ConfirmAction
              plan={actions.planned}
              isRunning={actions.isRunning}
              onConfirm={actions.confirm}
              onDismiss={actions.dismiss}
            />
          </>
        )}
        {!isFull && isHealthy && (
          <Text variant="bodySmall" color="secondary">
            Make the panel larger to inspect, retry or purge the entries.
          </Text>
        )}
      </Stack>
    </div>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
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
