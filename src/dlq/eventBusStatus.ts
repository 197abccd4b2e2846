import { formattedValueToString, getValueFormat } from '@grafana/data';
import { isFetchError } from '@grafana/runtime';

import { EventBusResponseError, EventBusTimeoutError } from 'api/eventBus';
import { EventBusHealth } from 'api/eventBusTypes';

/** What an operator reads about the event bus: a severity, a one-line verdict and what to do next. */
export interface StatusMessage {
  severity: 'success' | 'warning' | 'error';
  title: string;
  detail: string;
}

/** Puts a health answer into words, naming what makes it degraded. */
export function describeHealth(health: EventBusHealth): StatusMessage {
  const dlqLength = health.dlq?.length;
  const dlqText =
    dlqLength === undefined
      ? 'The DLQ size was not reported.'
      : `The DLQ holds ${dlqLength} ${dlqLength === 1 ? 'message' : 'messages'}` +
        (dlqLength > 0 && health.dlq?.oldestAgeSeconds != null
          ? `, the oldest dead-lettered ${formatDuration(health.dlq.oldestAgeSeconds)} ago.`
          : '.');
  const redisText =
    health.redis?.latencyMs !== undefined
      ? `Redis${health.redis.version ? ` ${health.redis.version}` : ''} answered in ${health.redis.latencyMs} ms.`
      : '';

  switch (health.status) {
    case 'ok':
      return {
        severity: 'success',
        title: 'The event bus is reachable and healthy',
        detail: [redisText, dlqText].filter(Boolean).join(' '),
      };
    case 'degraded': {
      const laggingGroups = (health.streams ?? []).flatMap((stream) =>
        stream.groups
          .filter((group) => group.pending > 0 || (group.lag ?? 0) > 0)
          .map((group) => `${group.group} on ${stream.stream}`)
      );
      const lagText = laggingGroups.length > 0 ? ` Consumer groups behind: ${laggingGroups.join(', ')}.` : '';
      return {
        severity: 'warning',
        title: 'The event bus is reachable but degraded',
        detail: `${dlqText}${lagText} Inspect the DLQ before retrying anything.`,
      };
    }
    case 'down':
      return {
        severity: 'error',
        title: 'The event bus is reachable, but it cannot reach Redis',
        detail:
          'The service answered 503: Redis is down or refusing connections. Nothing can be dead-lettered, retried or ' +
          'purged until Redis is back. Check the Redis process, its memory and its logs.',
      };
  }
}

function formatDuration(seconds: number): string {
  return formattedValueToString(getValueFormat('dtdurations')(seconds));
}

export type EventBusProblemKind =
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'route-missing'
  | 'not-found'
  | 'unreachable'
  | 'gateway-timeout'
  | 'bad-response'
  | 'unexpected';

/** A failed call to the event bus, told the way an operator needs it: what happened, then what to do. */
export interface EventBusProblem extends StatusMessage {
  severity: 'error';
  kind: EventBusProblemKind;
  /** HTTP status as Grafana answered it, when there was an answer. */
  status?: number;
}

// Grafana's own answers, as opposed to answers passed through from the event bus.
const GRAFANA_ROUTE_MISSING = 'plugin route match not found';
const GRAFANA_ACCESS_DENIED = 'plugin proxy route access denied';

/** Classifies anything a call in `api/eventBus` can throw. */
export function describeEventBusProblem(error: unknown): EventBusProblem {
  if (error instanceof EventBusTimeoutError) {
    return problem(
      'timeout',
      `No answer from the event bus within ${Math.round(error.timeoutMs / 1000)} seconds`,
      'The service or the network path between Grafana and it is hanging. Check that the event-bus service is ' +
        'running and not overloaded, and that Redis answers; then try again.'
    );
  }
  if (error instanceof EventBusResponseError) {
    return problem(
      'bad-response',
      'The configured URL does not answer like the event-bus API',
      'Something answered, but not with the event-bus health document. Check that the event-bus URL points at the ' +
        'service root (for example http://event-bus:8080), not at another service or a path below it.'
    );
  }
  if (!isFetchError(error)) {
    return problem(
      'unexpected',
      'The event bus could not be checked',
      error instanceof Error ? error.message : String(error)
    );
  }

  const { status } = error;
  const message = messageOf(error.data) ?? error.statusText ?? '';
  switch (status) {
    case 401:
      return problem(
        'unauthorized',
        'The event bus rejected the token (401)',
        'The token saved in the app settings is not the one the service expects. Paste the current value of the ' +
          "service's EVENT_BUS_TOKEN into the API token field, save, and test again.",
        status
      );
    case 403:
      return message === GRAFANA_ACCESS_DENIED
        ? problem(
            'forbidden',
            'Your Grafana role may not use this event-bus action (403)',
            'Grafana refused the request before it reached the event bus. Reading needs the DLQ reader role ' +
              '(Viewer by default), retrying the DLQ operator role (Editor), purging the DLQ admin role (Admin).',
            status
          )
        : problem(
            'forbidden',
            'The event bus refused the request (403)',
            message || 'The service denied the request. Check its access rules for the Grafana server.',
            status
          );
    case 404:
      return message === GRAFANA_ROUTE_MISSING
        ? problem(
            'route-missing',
            'Grafana does not know the event-bus routes of this app (404)',
            'Grafana reads plugin routes when it starts. Restart Grafana after installing or upgrading the Runbooks ' +
              'app, and check that the app is enabled in this organization.',
            status
          )
        : problem(
            'not-found',
            'The configured URL has no event-bus API (404)',
            'The server at the event-bus URL answered 404 for /api/events. Point the URL at the root of the ' +
              'event-bus service, without a path.',
            status
          );
    case 502:
      return problem(
        'unreachable',
        'Grafana could not reach the event bus (502)',
        "Grafana's server, not your browser, connects to the event-bus URL. Check that the URL is right and " +
          'reachable from the Grafana server; inside a container, localhost is the container itself.',
        status
      );
    case 504:
      return problem(
        'gateway-timeout',
        'Grafana timed out connecting to the event bus (504)',
        'The connection from the Grafana server to the event-bus URL timed out. Check firewalls and the port.',
        status
      );
    default:
      return problem(
        'unexpected',
        `The event bus answered with an error (${status || 'no status'})`,
        message || 'No explanation came with the answer. The service logs will say more.',
        status
      );
  }
}

function problem(kind: EventBusProblemKind, title: string, detail: string, status?: number): EventBusProblem {
  return { severity: 'error', kind, title, detail, status };
}

function messageOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string') {
    return data.message;
  }
  return undefined;
}
