import React, { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { EmbeddedDashboard, PluginPage } from '@grafana/runtime';
import { Alert, ErrorBoundary, LinkButton, RadioButtonGroup, Stack, useSplitter, useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { findRunbook } from 'runbooks/catalog';
import { useRunbookContent } from 'runbooks/useRunbookContent';
import {
  besideDashboard,
  contextParams,
  dashboardParams,
  dashboardPath,
  isDashboardStateKey,
  runbookPath,
} from 'runbooks/urls';

import { PLUGIN_ID } from '../constants';
import RunbookPage, { RunbookContent } from './RunbookPage';

/** Where the divider's position is remembered, per browser. */
export const SPLIT_STORAGE_KEY = `${PLUGIN_ID}.beside.split`;

interface Props {
  slug: string;
}

/**
 * The runbook and its dashboard side by side. The dashboard's time range and variables live in this page's URL,
 * so the view can be shared as it is.
 */
const RunbookBesidePage = ({ slug }: Props) => {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const runbook = findRunbook(slug);
  const content = useRunbookContent(runbook);
  const requested = params.get('dashboard') || null;
  // The view shows the dashboard the link names, so a panel on any dashboard can open its runbook beside it; the
  // live blocks record their actions only on a dashboard the runbook lists (besideDashboard).
  const dashboardUid = requested ?? runbook?.dashboards[0];
  const annotated = besideDashboard(runbook?.dashboards ?? [], requested);

  // Where this Grafana cannot embed a dashboard, the runbook takes the whole width and the dashboard opens in a tab.
  const [cannotEmbed, setCannotEmbed] = useState(() => !isEmbeddingAvailable());
  const onEmbedFailed = useCallback(() => setCannotEmbed(true), []);

  const { containerProps, primaryProps, secondaryProps, splitterProps } = useSplitter({
    direction: 'row',
    initialSize: storedSplit(),
    onSizeChanged: (size) => localStorage.setItem(SPLIT_STORAGE_KEY, String(size)),
  });

  const onDashboardStateChange = useCallback(
    (state: string) => {
      const next = contextParams(params);
      for (const key of [...next.keys()]) {
        if (isDashboardStateKey(key)) {
          next.delete(key);
        }
      }
      new URLSearchParams(state).forEach((value, key) => next.append(key, value));
      if (dashboardUid) {
        next.set('dashboard', dashboardUid);
      }
      if (next.toString() !== params.toString()) {
        setParams(next, { replace: true });
      }
    },
    [params, setParams, dashboardUid]
  );

  if (!runbook) {
    return <RunbookPage slug={slug} />;
  }
  const toDashboard = dashboardParams(params);
  const pageNav = { text: `${runbook.title}, beside its dashboard` };
  const notListed = dashboardUid !== undefined && dashboardUid !== annotated && (
    <Alert severity="info" title={`This runbook does not list the dashboard "${dashboardUid}"`}>
      {annotated
        ? `Retries and purges from the runbook are recorded as annotations on its own dashboard, "${annotated}", not on this one.`
        : 'Retries and purges from the runbook are not recorded on a dashboard.'}
    </Alert>
  );

  if (cannotEmbed && dashboardUid) {
    const href = dashboardPath(dashboardUid, toDashboard);
    return (
      <PluginPage pageNav={pageNav}>
        <Stack direction="column" gap={1}>
          <Alert
            severity="info"
            title="This Grafana cannot show a dashboard inside an app page"
            data-testid={testIds.beside.fallback}
          >
            <Stack gap={2} alignItems="center" wrap="wrap">
              <span>Open the dashboard in a new tab, with the same time range, and keep this runbook beside it.</span>
              <LinkButton href={href} target="_blank" rel="noopener noreferrer" icon="external-link-alt" size="sm">
                Open dashboard {dashboardUid}
              </LinkButton>
              <LinkButton
                variant="secondary"
                size="sm"
                icon="arrow-left"
                href={runbookPath(slug, contextParams(params))}
              >
                Runbook only
              </LinkButton>
            </Stack>
          </Alert>
          {notListed}
          <RunbookContent runbook={runbook} content={content} params={params} isBeside />
        </Stack>
      </PluginPage>
    );
  }

  return (
    <PluginPage pageNav={pageNav}>
      <div
        {...containerProps}
        className={cx(containerProps.className, styles.container)}
        data-testid={testIds.beside.container}
      >
        <div
          {...primaryProps}
          style={scrollingPane(primaryProps.style)}
          className={cx(primaryProps.className, styles.pane)}
        >
          <Stack direction="column" gap={1} minWidth={0}>
            <LinkButton variant="secondary" size="sm" icon="arrow-left" href={runbookPath(slug, contextParams(params))}>
              Runbook only
            </LinkButton>
            <RunbookContent runbook={runbook} content={content} params={params} isBeside />
          </Stack>
        </div>
        <div {...splitterProps} />
        <div
          {...secondaryProps}
          style={scrollingPane(secondaryProps.style)}
          className={cx(secondaryProps.className, styles.pane)}
          data-testid={testIds.beside.dashboard}
        >
          {runbook.dashboards.length > 1 && (
            <RadioButtonGroup
              size="sm"
              options={runbook.dashboards.map((uid) => ({ label: uid, value: uid }))}
              value={dashboardUid}
              onChange={(uid) => {
                const next = new URLSearchParams(params);
                next.set('dashboard', uid);
                setParams(next, { replace: true });
              }}
            />
          )}
          {notListed}
          {dashboardUid ? (
            <ErrorBoundary onError={onEmbedFailed}>
              {({ error }) =>
                error ? null : (
                  <EmbeddedDashboard
                    key={dashboardUid}
                    uid={dashboardUid}
                    initialState={`?${toDashboard.toString()}`}
                    onStateChange={onDashboardStateChange}
                  />
                )
              }
            </ErrorBoundary>
          ) : (
            <Alert severity="info" title="This runbook names no dashboard">
              Open the dashboard you are working from and use its panel menu, or read the runbook on its own.
            </Alert>
          )}
        </div>
      </div>
    </PluginPage>
  );
};

export default RunbookBesidePage;

/** Grafana versions without EmbeddedDashboard lack the export (newer ones without it initialised throw instead). */
function isEmbeddingAvailable(): boolean {
  return typeof EmbeddedDashboard === 'function' || typeof EmbeddedDashboard === 'object';
}

/**
 * useSplitter keeps each pane at least as wide as its content's min-content: a DLQ table or a long command line in
 * the runbook would push the dashboard off the screen. Each pane scrolls on its own instead.
 */
function scrollingPane(style: React.CSSProperties): React.CSSProperties {
  return { ...style, minWidth: 0 };
}

function storedSplit(): number {
  const stored = Number(localStorage.getItem(SPLIT_STORAGE_KEY));
  return stored > 0.1 && stored < 0.9 ? stored : 0.4;
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({
    height: `calc(100vh - ${theme.spacing(20)})`,
    minHeight: 480,
  }),
  pane: css({
    overflow: 'auto',
    padding: theme.spacing(0, 1),
  }),
});
