import React from 'react';
import { Alert, Stack, Tag, Text } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { AlertContext as Context } from 'runbooks/urls';

interface Props {
  context: Context;
  /** The time range the alert link carried, as given (`now-1h`, epoch milliseconds). */
  from?: string | null;
  to?: string | null;
}

/** Which alert brought the operator here, and its labels. Everything from the URL is rendered as text. */
export const AlertContextBanner = ({ context, from, to }: Props) => (
  <Alert severity="warning" title={`Opened from alert ${context.alertname}`} data-testid={testIds.runbook.alertContext}>
    <Stack direction="column" gap={1}>
      {context.labels.length > 0 && (
        <Stack gap={0.5} wrap="wrap" aria-label="Alert labels">
          {context.labels.map(([key, value]) => (
            <Tag key={`${key}=${value}`} name={`${key}=${value}`} colorIndex={7} />
          ))}
        </Stack>
      )}
      <Text variant="bodySmall">
        {from || to
          ? `Dashboards and live blocks below use the alert's time range (${from ?? '...'} to ${to ?? 'now'}) and labels.`
          : "Dashboards and live blocks below use the alert's labels."}
      </Text>
    </Stack>
  </Alert>
);
