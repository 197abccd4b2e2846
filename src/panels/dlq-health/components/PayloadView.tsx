import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';

import { DlqEntry } from 'api/eventBus';
import { testIds } from 'components/testIds';

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

/**
 * An entry's payload and metadata. Rendered as React text children only: whatever the payload holds (`<script>`,
 * `<img onerror>`) shows as characters, never as markup.
 */
export const PayloadView = ({ entry }: Props) => {
  const styles = useStyles2(getStyles);
  const payload = formatPayload(entry.payload);
  return (
    <Stack direction="column" gap={1}>
      <Stack gap={2} wrap="wrap" alignItems="center">
        <Text variant="bodySmall" color="secondary">
          DLQ ID {entry.id} · from {String(entry.stream)} as {String(entry.originalId ?? 'unknown')}
          {entry.retryOperationId ? ` · retried by ${entry.retryOperationId}` : ''}
        </Text>
        <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => payload}>
          Copy payload
        </ClipboardButton>
      </Stack>
      {entry.payloadTruncated && (
        <Text variant="bodySmall" color="warning">
          The payload is truncated by the service; the full message is in Redis.
        </Text>
      )}
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
