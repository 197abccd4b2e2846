import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  Column,
  EmptyState,
  InteractiveTable,
  LoadingPlaceholder,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import { FailureGroup } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';

import { ActionPlan, DlqAction, formatCount } from '../actions';
import { entryAge } from '../health';
import { DlqGroupsState, groupKeyOf } from '../hooks/useDlqGroups';
import { newIdempotencyKey } from '../idempotency';
import { ProblemMessage } from './ProblemMessage';

/** The origin streams the service can filter by (its StreamKey schema); other producers may write anything. */
const STREAM_KEY = /^\{events\}:[A-Za-z0-9._-]{1,191}$/;

interface Props {
  state: DlqGroupsState;
  /** The stream filter: the stream column is left out when set. */
  stream?: string;
  canRetry: boolean;
  canPurge: boolean;
  /** Says that the user's role cannot act (when the panel offers actions at all). */
  showReadOnly: boolean;
  /** A request runs: nothing can be started. */
  isBusy: boolean;
  /** Shows the entries of one group. */
  onOpen: (group: FailureGroup) => void;
  onRequest: (plan: ActionPlan) => void;
}

/** One group's count, failure and age at a glance, and what can be done to it. */
function describe(group: FailureGroup): string {
  return `${formatCount(group.count)} ${group.failureClass} ${group.count === 1 ? 'entry' : 'entries'} of ${group.stream}`;
}

/**
 * The Failures view: the DLQ by failure group (origin stream, type, failure class), largest first. A row opens its
 * entries; Retry and Purge act on one group up to the snapshot the counts were read at.
 */
export const FailureGroups = ({
  state,
  stream,
  canRetry,
  canPurge,
  showReadOnly,
  isBusy,
  onOpen,
  onRequest,
}: Props) => {
  const styles = useStyles2(getStyles);
  const { groups, newKeys, readAt } = state;
  const snapshotId = groups?.snapshotId ?? null;
  const isStale = Boolean(groups?.stale);

  const columns = useMemo(() => {
    const plan = (action: DlqAction, group: FailureGroup): ActionPlan | undefined =>
      snapshotId
        ? {
            action,
            selection: { upToId: snapshotId, stream: group.stream, type: group.type, failureClass: group.failureClass },
            count: group.count,
            stream: group.stream,
            idempotencyKey: newIdempotencyKey(),
          }
        : undefined;
    const request = (action: DlqAction, group: FailureGroup) => {
      const planned = plan(action, group);
      if (planned) {
        onRequest(planned);
      }
    };
    const whyNot = (group: FailureGroup) =>
      !STREAM_KEY.test(group.stream)
        ? `The origin stream "${group.stream}" is not one the event bus can filter by, so this group cannot be acted on as a whole.`
        : isStale
          ? 'The counts are being recounted: act on a group once they are exact again.'
          : undefined;

    const result: Array<Column<FailureGroup>> = [
      {
        id: 'count',
        header: 'Entries',
        cell: ({ row }) => <Text weight="medium">{formatCount(row.original.count)}</Text>,
        disableGrow: true,
      },
    ];
    if (!stream) {
      result.push({ id: 'stream', header: 'Stream', cell: ({ row }) => row.original.stream || '(none)' });
    }
    result.push(
      { id: 'type', header: 'Type', cell: ({ row }) => row.original.type || '(none)' },
      {
        id: 'failureClass',
        header: 'Failure',
        cell: ({ row }) => (
          <div className={styles.failure}>
            <Stack gap={1} alignItems="center">
              <Text>{row.original.failureClass}</Text>
              {newKeys.has(groupKeyOf(row.original)) && (
                <Badge text="New" color="orange" tooltip="Not in the DLQ at the previous read" />
              )}
            </Stack>
            {/* One entry's reason as written: what the masked parts held. */}
            <div className={styles.sample} title={row.original.sampleReason}>
              e.g. {row.original.sampleReason}
            </div>
          </div>
        ),
      },
      {
        id: 'oldest',
        header: 'Oldest',
        cell: ({ row }) => entryAge(row.original.oldest.at, readAt).replace(/ /g, '\u00a0'),
        disableGrow: true,
      },
      {
        id: 'newest',
        header: 'Newest',
        cell: ({ row }) => entryAge(row.original.newest.at, readAt).replace(/ /g, '\u00a0'),
        disableGrow: true,
      },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => {
          const group = row.original;
          const blocked = whyNot(group);
          const label = describe(group);
          return (
            <Stack gap={1} wrap="nowrap">
              <Button
                size="sm"
                variant="secondary"
                fill="text"
                icon="list-ul"
                aria-label={`Entries: show the ${label}`}
                disabled={!STREAM_KEY.test(group.stream)}
                onClick={() => onOpen(group)}
              >
                Entries
              </Button>
              {canRetry && (
                <Button
                  size="sm"
                  icon="repeat"
                  aria-label={`Retry these ${label}`}
                  title={blocked}
                  disabled={isBusy || Boolean(blocked) || !snapshotId}
                  onClick={() => request('retry', group)}
                >
                  Retry these {formatCount(group.count)}
                </Button>
              )}
              {canPurge && (
                <Button
                  size="sm"
                  variant="destructive"
                  fill="outline"
                  icon="trash-alt"
                  aria-label={`Purge these ${label}`}
                  title={blocked}
                  disabled={isBusy || Boolean(blocked) || !snapshotId}
                  onClick={() => request('purge', group)}
                >
                  Purge these {formatCount(group.count)}
                </Button>
              )}
            </Stack>
          );
        },
        disableGrow: true,
      }
    );
    return result;
  }, [stream, newKeys, readAt, snapshotId, isStale, canRetry, canPurge, isBusy, onOpen, onRequest, styles]);

  if (state.problem) {
    return (
      <div data-testid={testIds.dlqPanel.failures}>
        <ProblemMessage problem={state.problem} onRetry={state.reload} />
      </div>
    );
  }
  if (!groups) {
    return (
      <div data-testid={testIds.dlqPanel.failures} aria-busy="true">
        <LoadingPlaceholder text="Reading the failure groups..." />
      </div>
    );
  }
  return (
    <div data-testid={testIds.dlqPanel.failures} aria-busy={state.loading}>
      <Stack direction="column" gap={1}>
        {showReadOnly && (
          <Text color="secondary" variant="bodySmall" data-testid={testIds.dlqPanel.readOnly}>
            Read-only: your role may inspect the DLQ but not retry or purge it.
          </Text>
        )}
        {isStale && (
          <Alert severity="warning" title="The counts are being recounted" className={styles.alert}>
            Another producer wrote to or deleted from the DLQ behind the event bus, so these counts are not exact until
            it has counted again (usually seconds). Acting on a group is paused until then.{' '}
            <Button size="sm" variant="secondary" fill="text" icon="sync" onClick={state.reload}>
              Read again
            </Button>
          </Alert>
        )}
        {groups.groups.length === 0 ? (
          <EmptyState
            variant="completed"
            message={
              groups.total > 0
                ? 'No failure groups counted yet'
                : stream
                  ? `No DLQ entries from ${stream}`
                  : 'The DLQ is empty'
            }
          />
        ) : (
          <InteractiveTable columns={columns} data={groups.groups} getRowId={groupKeyOf} />
        )}
        {groups.other.groups > 0 && (
          <Text variant="bodySmall" color="secondary">
            And {formatCount(groups.other.count)} {groups.other.count === 1 ? 'entry' : 'entries'} in{' '}
            {formatCount(groups.other.groups)} smaller {groups.other.groups === 1 ? 'group' : 'groups'}: filter by
            stream to see more of them.
          </Text>
        )}
      </Stack>
    </div>
  );
};

interface TopProps {
  state: DlqGroupsState;
  /** How many groups to show. */
  count?: number;
}

/** The largest failure groups in a line each, for the compact layout. */
export const TopFailureGroups = ({ state, count = 3 }: TopProps) => {
  const styles = useStyles2(getStyles);
  const { groups, newKeys } = state;
  if (!groups || groups.groups.length === 0) {
    return null;
  }
  const shown = groups.groups.slice(0, count);
  const rest = groups.groups.length - shown.length + groups.other.groups;
  return (
    <div data-testid={testIds.dlqPanel.topFailures}>
      <Text variant="bodySmall" color="secondary">
        Largest failures{groups.stale ? ' (being recounted)' : ''}:
      </Text>
      <ul className={styles.top}>
        {shown.map((group) => (
          <li key={groupKeyOf(group)}>
            <Stack gap={1} alignItems="center" wrap="nowrap">
              <Text variant="bodySmall" weight="medium">
                {formatCount(group.count)}
              </Text>
              <Text variant="bodySmall" truncate>
                {group.failureClass}
              </Text>
              <Text variant="bodySmall" color="secondary" truncate>
                {group.stream}
              </Text>
              {newKeys.has(groupKeyOf(group)) && <Badge text="New" color="orange" />}
            </Stack>
          </li>
        ))}
      </ul>
      {rest > 0 && (
        <Text variant="bodySmall" color="secondary">
          and {formatCount(rest)} more {rest === 1 ? 'group' : 'groups'}
        </Text>
      )}
    </div>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  failure: css({
    minWidth: theme.spacing(30),
  }),
  // Two lines at most: the table grows no wider for a long reason.
  sample: css({
    ...theme.typography.bodySmall,
    color: theme.colors.text.secondary,
    maxHeight: `calc(2em * ${theme.typography.bodySmall.lineHeight})`,
    overflow: 'hidden',
    overflowWrap: 'anywhere',
  }),
  alert: css({
    marginBottom: 0,
  }),
  top: css({
    listStyle: 'none',
    margin: theme.spacing(0.5, 0),
    padding: 0,
  }),
});
