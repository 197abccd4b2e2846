import React, { FormEvent } from 'react';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, LoadingPlaceholder, SecretInput, Stack, useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { AppJsonData } from 'types';

import { useAppConfig } from './useAppConfig';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

const AppConfig = (_props: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { loading, loadError, form, urlError, isBusy, isTesting, saveResult, testResult, actions } = useAppConfig();

  if (loading) {
    return <LoadingPlaceholder text="Loading the app settings..." />;
  }
  if (loadError) {
    return (
      <Alert severity="error" title="Could not load the app settings">
        {loadError}
      </Alert>
    );
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    // Grafana is a single-page app: a native submit would navigate away and lose the form.
    event.preventDefault();
    actions.save();
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container} className={styles.form}>
      <FieldSet label="Event bus">
        <Field
          label="Event bus URL"
          description="Root URL of the event-bus API as seen from the Grafana server (not from your browser), for example http://event-bus:8080. Readable by every viewer: no credentials here."
          invalid={Boolean(urlError)}
          error={urlError}
          required
        >
          <Input
            id="event-bus-url"
            data-testid={testIds.appConfig.eventBusUrl}
            value={form.url}
            placeholder="http://event-bus:8080"
            onChange={(event) => actions.setUrl(event.currentTarget.value)}
            width={60}
          />
        </Field>
        <Field
          label="API token"
          description="The service's EVENT_BUS_TOKEN. Stored encrypted on the Grafana server and added to each proxied request; it never reaches the browser."
        >
          <SecretInput
            id="event-bus-token"
            data-testid={testIds.appConfig.eventBusToken}
            value={form.token}
            isConfigured={form.isTokenConfigured}
            placeholder={form.isTokenReset ? 'Saving with this empty removes the stored token' : 'Bearer token'}
            onChange={(event) => actions.setToken(event.currentTarget.value)}
            onReset={actions.resetToken}
            width={60}
          />
        </Field>
      </FieldSet>

      <Stack gap={1}>
        <Button type="submit" variant="secondary" disabled={isBusy} data-testid={testIds.appConfig.save}>
          Save
        </Button>
        <Button
          type="button"
          icon={isTesting ? 'spinner' : undefined}
          disabled={isBusy}
          onClick={actions.saveAndTest}
          data-testid={testIds.appConfig.saveAndTest}
        >
          {isTesting ? 'Testing...' : 'Save & test'}
        </Button>
      </Stack>

      <div aria-live="polite" className={styles.results}>
        {saveResult?.kind === 'failed' && (
          <Alert severity="error" title="The settings were not saved" data-testid={testIds.appConfig.saveResult}>
            {saveResult.message}
          </Alert>
        )}
        {saveResult?.kind === 'saved' && !testResult && !isTesting && (
          <Alert severity="success" title="Settings saved" data-testid={testIds.appConfig.saveResult}>
            Use Save & test to check that Grafana can reach the event bus with them.
          </Alert>
        )}
        {testResult && (
          <Alert severity={testResult.severity} title={testResult.title} data-testid={testIds.appConfig.testResult}>
            {testResult.detail}
          </Alert>
        )}
      </div>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({
    maxWidth: theme.breakpoints.values.md,
  }),
  results: css({
    marginTop: theme.spacing(2),
  }),
});
