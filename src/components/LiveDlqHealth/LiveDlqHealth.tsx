import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, Button, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';

import { describeHealth } from 'api/eventBusStatus';
import { testIds } from 'components/testIds';
import { useEventBusStatus } from 'hooks/useEventBusStatus';

interface Props {
  /** Origin stream to focus on, as a full key (`{events}:orders`); all streams when absent. */
  stream?: string;
}

const STATUS_COLOR: Record<string, BadgeColor> = { ok: 'green', degraded: 'orange', down: 'red' };

/**
 * The live block a runbook embeds with a ```dlq-health fence: what the DLQ holds right now, read through the proxy
 * with the reader's own permissions.
 */
export const LiveDlqHealth = ({ stream }: Props) => {
  const styles = useStyles2(getStyles);
  const { status, loading, reload } = useEventBusStatus();

  let content: React.ReactNode;
  if (loading || !status) {
    content = <LoadingPlaceholder text="Reading the DLQ..." />;
  } else if (status.kind === 'health') {
    const { health } = status;
    const inStream = stream ? (health.dlq?.byStream?.[stream] ?? 0) : undefined;
    const summary = describeHealth(health);
    content = (
      <Stack direction="column" gap={1}>
        <Stack gap={1} alignItems="center" wrap="wrap">
          <Badge color={STATUS_COLOR[health.status]} text={`Event bus: ${health.status}`} />
          {inStream !== undefined && (
            <Text>
              {inStream} in the DLQ from <code>{stream}</code>
            </Text>
          )}
        </Stack>
        <Text color="secondary" variant="bodySmall">
          {summary.detail}
        </Text>
      </Stack>
    );
  } else {
    const message =
      status.kind === 'problem'
        ? `${status.problem.title}. ${status.problem.detail}`
        : status.kind === 'not-configured'
          ? 'The event bus is not configured in this app yet, so the DLQ cannot be read here.'
          : status.message;
    content = <Text color="warning">{message}</Text>;
  }

  return (
    <section className={styles.block} aria-label="Live DLQ health" data-testid={testIds.runbook.liveBlock}>
      <Stack justifyContent="space-between" alignItems="flex-start" gap={2}>
        <div>{content}</div>
        <Button size="sm" variant="secondary" icon="sync" onClick={reload} aria-label="Read the DLQ again" />
      </Stack>
    </section>
  );
};

/** Reads the options of a ```dlq-health block: one `key=value` a line; `stream` may omit the `{events}:` prefix. */
export function parseLiveBlockOptions(content: string): { stream?: string } {
  const options = Object.fromEntries(
    content
      .split('\n')
      .map((line) => line.trim().split('='))
      .filter((pair) => pair.length === 2 && pair[0] !== '')
  );
  const stream: string | undefined = options.stream;
  return { stream: stream && !stream.startsWith('{') ? `{events}:${stream}` : stream };
}

const getStyles = (theme: GrafanaTheme2) => ({
  block: css({
    border: `1px solid ${theme.colors.border.medium}`,
    borderLeft: `3px solid ${theme.colors.primary.border}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1.5, 2),
    margin: theme.spacing(2, 0),
  }),
});
