import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { LinkButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { ExerciseBadge, ReviewBadge } from 'components/ReviewBadge/ReviewBadge';
import { testIds } from 'components/testIds';
import type { CatalogRunbook } from 'runbooks/catalog';
import { exerciseOf, reviewOf } from 'runbooks/review';
import { besidePath, contextParams, dashboardParams, dashboardPath } from 'runbooks/urls';

interface Props {
  runbook: CatalogRunbook;
  /** The page's query: alert labels, time range and variables travel on to the links. */
  params: URLSearchParams;
  today: Date;
  /** The beside view shows no "Beside dashboard" action of its own. */
  isBeside?: boolean;
}

/** Who owns the runbook, whom to escalate to, how fresh it is, and where its dashboards and alerts are. */
export const RunbookHeader = ({ runbook, params, today, isBeside = false }: Props) => {
  const styles = useStyles2(getStyles);
  const toDashboard = dashboardParams(params);
  return (
    <div className={styles.header} data-testid={testIds.runbook.header}>
      <dl className={styles.facts}>
        <dt>Owner</dt>
        <dd>{runbook.owner}</dd>
        <dt>Escalation</dt>
        <dd>{runbook.escalation}</dd>
        <dt>Last reviewed</dt>
        <dd>
          <Stack gap={1} alignItems="center" wrap="wrap">
            <span>{runbook.lastReviewed}</span>
            <ReviewBadge review={reviewOf(runbook, today)} />
          </Stack>
        </dd>
        <dt>Last drill</dt>
        <dd>
          <Stack gap={1} alignItems="center" wrap="wrap">
            <span>{runbook.lastExercised ?? 'None recorded'}</span>
            <ExerciseBadge exercise={exerciseOf(runbook, today)} />
          </Stack>
        </dd>
        {runbook.dashboards.length > 0 && (
          <>
            <dt>Dashboards</dt>
            <dd>
              <Stack gap={2} wrap="wrap">
                {runbook.dashboards.map((uid) => (
                  <TextLink key={uid} href={dashboardPath(uid, toDashboard)} icon="apps" inline={false}>
                    {uid}
                  </TextLink>
                ))}
              </Stack>
            </dd>
          </>
        )}
        {runbook.alerts.length > 0 && (
          <>
            <dt>Answers alerts</dt>
            <dd>
              <Stack gap={2} wrap="wrap">
                {runbook.alerts.map((alert) => (
                  <TextLink
                    key={alert}
                    href={`/alerting/list?search=${encodeURIComponent(alert)}`}
                    icon="bell"
                    inline={false}
                  >
                    {alert}
                  </TextLink>
                ))}
              </Stack>
            </dd>
          </>
        )}
      </dl>
      {!isBeside && runbook.dashboards.length > 0 && (
        <Stack gap={1} wrap="wrap">
          {runbook.dashboards.map((uid) => (
            <LinkButton
              key={uid}
              icon="columns"
              variant="secondary"
              href={besidePath(runbook.slug, uid, contextParams(params))}
              tooltip="Read this runbook with the dashboard on the same page, same time range"
            >
              {runbook.dashboards.length > 1 ? `Beside ${uid}` : 'Beside dashboard'}
            </LinkButton>
          ))}
        </Stack>
      )}
      {runbook.tags.length > 0 && (
        <Text variant="bodySmall" color="secondary">
          Tags: {runbook.tags.join(', ')}
        </Text>
      )}
    </div>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  header: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(2),
  }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    dt: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
    },
    dd: {
      margin: 0,
    },
  }),
});
