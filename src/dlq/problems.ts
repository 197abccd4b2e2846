import { isFetchError } from '@grafana/runtime';

import { describeEventBusProblem, EventBusProblem, EventBusProblemKind } from 'dlq/eventBusStatus';

/** A runbook section that helps with a failure. */
export interface RunbookHelp {
  slug: string;
  anchor: string;
  label: string;
}

/** A failure as the panel shows it: what happened, what to do, and where to read more. */
export interface PanelProblem extends Omit<EventBusProblem, 'kind'> {
  kind: EventBusProblemKind | 'not-configured' | 'conflict' | 'down';
  help?: RunbookHelp;
  /** Whether the app's configuration page is the way out. */
  isConfigIssue?: boolean;
}

const AUTH_TOKEN: RunbookHelp = {
  slug: 'troubleshooting/auth-failures',
  anchor: 'event-bus-401s',
  label: 'Runbook: event-bus 401s',
};
const AUTH_ROLE: RunbookHelp = {
  slug: 'troubleshooting/auth-failures',
  anchor: 'grafana-401-and-403-for-operators',
  label: 'Runbook: Grafana 401 and 403 for operators',
};
const BUS_DOWN: RunbookHelp = {
  slug: 'dlq-management',
  anchor: 'when-the-event-bus-or-redis-is-down',
  label: 'Runbook: when the event bus or Redis is down',
};

const HELP: Partial<Record<PanelProblem['kind'], RunbookHelp>> = {
  unauthorized: AUTH_TOKEN,
  forbidden: AUTH_ROLE,
  unreachable: BUS_DOWN,
  'gateway-timeout': BUS_DOWN,
  timeout: BUS_DOWN,
  down: BUS_DOWN,
  'bad-response': BUS_DOWN,
  'not-found': BUS_DOWN,
  unexpected: BUS_DOWN,
  conflict: { slug: 'dlq-management', anchor: 'retry', label: 'Runbook: retry' },
};

const CONFIG_KINDS: ReadonlySet<string> = new Set(['unauthorized', 'not-found', 'bad-response', 'not-configured']);

/** Classifies anything an event-bus call throws, adding the runbook section that helps. */
export function toPanelProblem(error: unknown): PanelProblem {
  if (isFetchError(error) && error.status === 409 && error.data?.error === 'index_stale') {
    return withHelp({
      severity: 'error',
      kind: 'conflict',
      status: 409,
      title: 'The failure groups are being recounted (409)',
      detail:
        'Another producer wrote to or deleted from the DLQ, so a retry or purge by failure group would not be exact. ' +
        'Nothing was changed. Read the DLQ again in a few seconds and repeat.',
    });
  }
  if (isFetchError(error) && error.status === 409) {
    const message = typeof error.data?.message === 'string' ? error.data.message : '';
    return withHelp({
      severity: 'error',
      kind: 'conflict',
      status: 409,
      title: 'Another retry or purge is running on this DLQ (409)',
      detail: `${message ? `${message} ` : ''}Nothing was changed by this request. Wait for the other operation to finish, then re-read the DLQ.`,
    });
  }
  if (isFetchError(error) && error.status === 503) {
    return REDIS_DOWN;
  }
  return withHelp(describeEventBusProblem(error));
}

/** A 503, or a health that says `down`. */
export const REDIS_DOWN: PanelProblem = withHelp({
  severity: 'error',
  kind: 'down',
  status: 503,
  title: 'The event bus cannot reach Redis (503)',
  detail: 'Nothing can be read, retried or purged until Redis is back. Check the Redis process, its memory and logs.',
});

export const NOT_CONFIGURED: PanelProblem = withHelp({
  severity: 'error',
  kind: 'not-configured',
  title: 'The event bus is not configured in the Runbooks app',
  detail:
    'An admin sets the event-bus URL and API token on the app configuration page; then this panel can read the DLQ.',
});

function withHelp(problem: Omit<PanelProblem, 'help' | 'isConfigIssue'>): PanelProblem {
  return { ...problem, help: HELP[problem.kind], isConfigIssue: CONFIG_KINDS.has(problem.kind) };
}
