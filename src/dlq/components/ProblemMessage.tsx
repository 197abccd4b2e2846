import React from 'react';
import { Alert, Button, LinkButton, Stack } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { runbookPath } from 'runbooks/urls';

import { PLUGIN_CONFIG_URL } from '../../constants';
import { PanelProblem } from '../problems';

interface Props {
  problem: PanelProblem;
  onRetry?: () => void;
}

/** A failure told for an operator: what happened, what to do, where to read more, and a way to try again. */
export const ProblemMessage = ({ problem, onRetry }: Props) => (
  <Alert severity="error" title={problem.title} data-testid={testIds.dlqPanel.problem}>
    <Stack direction="column" gap={1}>
      <div>{problem.detail}</div>
      <Stack gap={2} alignItems="center" wrap="wrap">
        {problem.isConfigIssue && (
          <LinkButton size="sm" variant="secondary" fill="text" href={PLUGIN_CONFIG_URL}>
            Open the app configuration
          </LinkButton>
        )}
        {problem.help && (
          <LinkButton
            size="sm"
            variant="secondary"
            fill="text"
            href={runbookPath(problem.help.slug, undefined, problem.help.anchor)}
          >
            {problem.help.label}
          </LinkButton>
        )}
        {onRetry && (
          <Button size="sm" variant="secondary" icon="sync" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Stack>
  </Alert>
);
