import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Stack, Tag, Text, useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { AlertContext as Context } from 'runbooks/urls';

interface Props {
  context: Context;
  /** The time range the alert link carried, as given (`now-1h`, epoch milliseconds). */
  from?: string | null;
  to?: string | null;
  /** The anchor of the runbook's block on this alert (its meaning, impact and first step), when it has one. */
  meaningAnchor?: string;
}

/** Which alert brought the operator here, and its labels. Everything from the URL is rendered as text. */
export const AlertContextBanner = ({ context, from, to, meaningAnchor }: Props) => {
  const styles = useStyles2(getStyles);
  return (
    <Alert
      severity="warning"
      title={`Opened from alert ${context.alertname}`}
      // Context, not an emergency: a warning Alert is role=alert, which interrupts a screen reader mid-sentence.
      role="status"
      data-testid={testIds.runbook.alertContext}
    >
      <Stack direction="column" gap={1}>
        {context.labels.length > 0 && (
          <Stack gap={0.5} wrap="wrap" aria-label="Alert labels">
            {context.labels.map(([key, value]) => (
              <Tag key={`${key}=${value}`} name={`${key}=${value}`} colorIndex={7} />
            ))}
          </Stack>
        )}
        {meaningAnchor && (
          // A bare fragment: Grafana's click interceptor sets it as the location's hash, keeping the path and the
          // alert's query (public/app/core/navigation/patch/interceptLinkClicks.ts, grafana/grafana at 459f6f2).
          // TextLink resolves the href to a path and drops the query, and the banner with it.
          <a href={`#${meaningAnchor}`} className={styles.link}>
            {`What ${context.alertname} means, its impact, and where to start`}
          </a>
        )}
        <Text variant="bodySmall">
          {from || to
            ? `Dashboards and live blocks below use the alert's time range (${from ?? '...'} to ${to ?? 'now'}) and labels.`
            : "Dashboards and live blocks below use the alert's labels."}
        </Text>
      </Stack>
    </Alert>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({
    color: theme.colors.text.link,
    textDecoration: 'underline',
    alignSelf: 'flex-start',
  }),
});
