import React, { useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Button, ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';

import { DlqEntry, getDlqEntry } from 'api/eventBus';
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

/**
 * An entry's payload and metadata. Rendered as React text children only: whatever the payload holds (`<script>`,
 * `<img onerror>`) shows as characters, never as markup. A listed payload is a preview; the whole one is read from
 * the service only when the operator asks for it.
 */
export const PayloadView = ({ entry: listed }: Props) => {
  const styles = useStyles2(getStyles);
  const [entry, setEntry] = useState(listed);
  const [read, setRead] = useState<FullRead>({ state: 'idle' });
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );
  const readWhole = () => {
    setRead({ state: 'loading' });
    getDlqEntry(listed.id).then(
      (whole) => {
        if (mounted.current) {
          setEntry(whole);
          setRead({ state: 'idle' });
        }
      },
      (error) => mounted.current && setRead({ state: 'failed', error })
    );
  };
  const payload = formatPayload(entry.payload);
  const size = entry.payloadBytes === undefined ? '' : ` of ${formatBytes(entry.payloadBytes)}`;
  const whole = entry !== listed;
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
      {read.state === 'failed' && <ProblemMessage problem={toPanelProblem(read.error)} onRetry={readWhole} />}
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
