import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, IconName } from '@grafana/data';
import { Badge, BadgeColor, Stack, Text, useStyles2 } from '@grafana/ui';

import { EventBusHealth, HealthStatus } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';

import { formatAge, Verdict } from '../health';
import { Layout } from '../options';

interface Props {
  health: EventBusHealth;
  verdict: Verdict;
  layout: Layout;
}

// Never colour alone: each status has its own word and icon as well.
const STATUS: Record<HealthStatus, { color: BadgeColor; icon: IconName; text: string }> = {
  ok: { color: 'green', icon: 'check-circle', text: 'Healthy' },
  degraded: { color: 'orange', icon: 'exclamation-triangle', text: 'Degraded' },
  down: { color: 'red', icon: 'times-circle', text: 'Down' },
};

const COMPACT_STREAMS = 3;

/** Health at a glance: status, DLQ depth and age, where the entries come from and how far consumers are behind. */
export const HealthSummary = ({ health, verdict, layout }: Props) => {
  const styles = useStyles2(getStyles);
  const status = STATUS[verdict.status];
  const depth = health.dlq?.length;
  const age = health.dlq?.oldestAgeSeconds;
  const byStream = Object.entries(health.dlq?.byStream ?? {})
    .filter(([, count]) => typeof count === 'number')
    .sort(([, a], [, b]) => b - a);
  const shownStreams = layout === 'compact' ? byStream.slice(0, COMPACT_STREAMS) : byStream;
  const groups = (health.streams ?? []).flatMap((stream) =>
    (stream.groups ?? []).map((group) => ({ stream: stream.stream, ...group }))
  );

  return (
    <div data-testid={testIds.dlqPanel.health} data-layout={layout}>
      <Stack direction="column" gap={1}>
        <Stack gap={2} alignItems="center" wrap="wrap">
          <span data-testid={testIds.dlqPanel.status} data-status={verdict.status}>
            <Badge color={status.color} icon={status.icon} text={`Event bus: ${status.text}`} />
          </span>
          <Stat label="DLQ depth" value={depth === undefined ? 'not reported' : String(depth)} />
          <Stat
            label="Oldest entry"
            value={depth === 0 ? 'none' : typeof age === 'number' ? `${formatAge(age)} old` : 'unknown'}
          />
        </Stack>
        {verdict.reasons.length > 0 && (
          <ul className={styles.reasons} aria-label="Why the status is not ok">
            {verdict.reasons.map((reason) => (
              <li key={reason}>
                <Text variant="bodySmall">{reason}</Text>
              </li>
            ))}
          </ul>
        )}
        {shownStreams.length > 0 && (
          <Stack gap={1} wrap="wrap" aria-label="DLQ entries by origin stream" role="list">
            {shownStreams.map(([stream, count]) => (
              <span key={stream} role="listitem" className={styles.chip}>
                <Text variant="bodySmall">
                  {stream}: {count}
                </Text>
              </span>
            ))}
            {shownStreams.length < byStream.length && (
              <Text variant="bodySmall" color="secondary">
                and {byStream.length - shownStreams.length} more
              </Text>
            )}
          </Stack>
        )}
        {layout === 'full' && groups.length > 0 && (
          <table className={styles.groups} aria-label="Consumer groups">
            <thead>
              <tr>
                <th>Stream</th>
                <th>Group</th>
                <th>Lag</th>
                <th>Pending</th>
                <th>Consumers</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={`${group.stream}/${group.group}`}>
                  <td>{group.stream}</td>
                  <td>{group.group}</td>
                  {/* null means Redis could not compute it: unknown, which is not the same as zero. */}
                  <td>{typeof group.lag === 'number' ? group.lag : 'unknown'}</td>
                  <td>{group.pending}</td>
                  <td>{group.consumers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Stack>
    </div>
  );
};

const Stat = ({ label, value }: { label: string; value: string }) => (
  <Stack gap={0.5} alignItems="baseline">
    <Text color="secondary" variant="bodySmall">
      {label}
    </Text>
    <Text weight="medium">{value}</Text>
  </Stack>
);

const getStyles = (theme: GrafanaTheme2) => ({
  reasons: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
  chip: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 1),
  }),
  groups: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
    },
  }),
});
