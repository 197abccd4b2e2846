import React, { useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { isFetchError } from '@grafana/runtime';
import { Alert, Button, ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';

import { getDlqEntry } from 'api/eventBus';
import { DlqEntry } from 'api/eventBusTypes';
import { testIds } from 'components/testIds';

import { toPanelProblem } from '../problems';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  entry: DlqEntry;
}

/** Pretty-printed when the payload is JSON; otherwise the text as it came. */
export function formatPayload(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : payload === undefined ? '' : JSON.stringify(payload);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Bytes as an operator reads them: 512 bytes, 4.0 KiB, 7.5 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

type FullRead = { state: 'idle' } | { state: 'loading' } | { state: 'failed'; error: unknown };

/** Answers of the full read that are about this entry, not about the event bus: told here, not as an outage. */
function entryProblem(error: unknown): string | null {
  if (!isFetchError(error)) {
    return null;
  }
  const code = (error.data as { error?: unknown } | undefined)?.error;
  if (error.status === 404 && code === 'entry_not_found') {
    return 'This entry is no longer in the DLQ: it was retried or purged since the page was read. Reload the page.';
  }
  if (error.status === 429) {
    return 'The event bus is busy with other reads; try again in a few seconds.';
  }
  return null;
}

/**
 * An entry's payload and metadata. Rendered as React text children only: whatever the payload holds (`<script>`,
 * `<img onerror>`) shows as characters, never as markup. A listed payload is a preview; the whole one is read from
 * the service only when the operator asks for it.
 */
export const PayloadView = ({ entry: listed }: Props) => {
  const styles = useStyles2(getStyles);
  const [full, setFull] = useState<DlqEntry | null>(null);
  const [read, setRead] = useState<FullRead>({ state: 'idle' });
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  // A refreshed page brings a new entry object for the same row: the whole payload read for this ID still applies.
  const whole = full !== null && full.id === listed.id;
  const entry = whole ? full : listed;
  const readWhole = () => {
    setRead({ state: 'loading' });
    getDlqEntry(listed.id).then(
      (found) => {
        if (mounted.current) {
          setFull(found);
          setRead({ state: 'idle' });
        }
      },
      (error) => {
        if (mounted.current) {
          setRead({ state: 'failed', error });
        }
      }
    );
  };
  const aboutEntry = read.state === 'failed' ? entryProblem(read.error) : null;
  const payload = formatPayload(entry.payload);
  const size = entry.payloadBytes === undefined ? '' : ` of ${formatBytes(entry.payloadBytes)}`;
  return (
    <Stack direction="column" gap={1}>
      <Stack gap={2} wrap="wrap" alignItems="center">
        <Text variant="bodySmall" color="secondary">
          DLQ ID {entry.id} · from {String(entry.stream)} as {String(entry.originalId ?? 'unknown')}
          {entry.retryOperationId ? ` · retried by ${entry.retryOperationId}` : ''}
        </Text>
        <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => payload}>
          {entry.payloadTruncated ? 'Copy what is shown' : 'Copy payload'}
        </ClipboardButton>
        {entry.payloadTruncated && !whole && (
          <Button
            size="sm"
            variant="secondary"
            icon={read.state === 'loading' ? 'spinner' : 'eye'}
            disabled={read.state === 'loading'}
            onClick={readWhole}
          >
            {read.state === 'loading' ? 'Reading the whole payload...' : `Show the whole payload${size}`}
          </Button>
        )}
      </Stack>
      {entry.payloadTruncated && (
        <Text variant="bodySmall" color="warning">
          {whole
            ? `This payload${size} is larger than the service returns whole; the rest is in Redis.`
            : `This is the start of the payload${size}.`}
        </Text>
      )}
      {read.state === 'failed' &&
        (aboutEntry ? (
          <Alert severity="warning" title="The whole payload could not be read">
            {aboutEntry}
          </Alert>
        ) : (
          <ProblemMessage problem={toPanelProblem(read.error)} onRetry={readWhole} />
        ))}
      <pre className={styles.payload} data-testid={testIds.dlqPanel.payload}>
        {payload}
      </pre>
    </Stack>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  payload: css({
    margin: 0,
    maxHeight: theme.spacing(40),
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.canvas,
    padding: theme.spacing(1),
    borderRadius: theme.shape.radius.default,
  }),
});
