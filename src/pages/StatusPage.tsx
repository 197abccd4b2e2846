import React from 'react';
import { Alert, Button, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { PluginPage } from '@grafana/runtime';

import { describeHealth, StatusMessage } from 'dlq/eventBusStatus';
import { testIds } from 'components/testIds';
import { EventBusStatus, useEventBusStatus } from 'dlq/hooks/useEventBusStatus';

import { PLUGIN_CONFIG_URL } from '../constants';

/** Says whether the event bus is configured and reachable, and where to fix it when it is not. */
const StatusPage = () => {
  const { status, loading, reload } = useEventBusStatus();

  return (
    <PluginPage>
      <div data-testid={testIds.statusPage.container}>
        {loading || !status ? (
          <LoadingPlaceholder text="Checking the event bus..." />
        ) : (
          <Stack direction="column" gap={2} alignItems="flex-start">
            <StatusAlert message={toMessage(status)} />
            <Stack gap={1}>
              <Button variant="secondary" icon="sync" onClick={reload} data-testid={testIds.statusPage.checkAgain}>
                Check again
              </Button>
              {status.kind !== 'health' || status.health.status === 'down' ? (
                <LinkButton variant="secondary" icon="cog" href={PLUGIN_CONFIG_URL}>
                  App configuration
                </LinkButton>
              ) : null}
            </Stack>
            {status.kind === 'health' && status.health.checkedAt && (
              <Text color="secondary" variant="bodySmall">
                Checked by the service at {new Date(status.health.checkedAt).toLocaleString()}.
              </Text>
            )}
          </Stack>
        )}
      </div>
    </PluginPage>
  );
};

export default StatusPage;

const StatusAlert = ({ message }: { message: StatusMessage }) => (
  <Alert severity={message.severity} title={message.title} data-testid={testIds.statusPage.result}>
    {message.detail}
  </Alert>
);

function toMessage(status: EventBusStatus): StatusMessage {
  switch (status.kind) {
    case 'not-configured': {
      const missing = [status.isUrlMissing && 'URL', status.isTokenMissing && 'API token']
        .filter(Boolean)
        .join(' and ');
      return {
        severity: 'warning',
        title: 'The event bus is not configured',
        detail: `The app has no event-bus ${missing} yet, so it cannot show DLQ health or retry anything. An organization admin sets them on the app configuration page.`,
      };
    }
    case 'settings-unavailable':
      return { severity: 'error', title: 'Could not read the app settings', detail: status.message };
    case 'health':
      return describeHealth(status.health);
    case 'problem':
      return status.problem;
  }
}
