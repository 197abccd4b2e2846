import { dateTime, PluginExtensionPanelContext, PluginExtensionPoints } from '@grafana/data';

import pluginJson from '../plugin.json';
import { alertInstanceLink, alertRunbookPath, panelMenuLink, panelRunbookPath } from './links';

function panelContext(overrides: Partial<PluginExtensionPanelContext> = {}): PluginExtensionPanelContext {
  return {
    pluginId: 'timeseries',
    id: 4,
    title: 'DLQ depth',
    timeRange: { from: 'now-6h', to: 'now' },
    timeZone: 'browser',
    dashboard: { uid: 'opsdesk-event-bus', title: 'Event bus', tags: [] },
    targets: [],
    ...overrides,
  } as PluginExtensionPanelContext;
}

describe('alert instance link', () => {
  it("uses the instance's rendered runbook_url when it points into the app, wherever Grafana is served", () => {
    const path = alertRunbookPath({
      instance: {
        annotations: {
          runbook_url:
            'https://grafana.example.com/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders',
        },
      },
    });
    expect(path).toBe(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders'
    );
  });

  it("falls back to the resolver with the alert's name and labels when the runbook_url points elsewhere", () => {
    const path = alertRunbookPath({
      rule: {
        name: 'ApiDown',
        labels: { severity: 'critical' },
        annotations: { runbook_url: 'https://wiki.example.com/x' },
      },
      instance: { labels: { alertname: 'ApiDown', service: 'api', __alert_rule_uid__: 'abc' } },
    });
    expect(path).toBe('/a/opsdesk-runbooks-app/alert?alertname=ApiDown&severity=critical&service=api');
  });

  it('takes the rule name when the labels carry no alertname, and hides without either', () => {
    expect(alertRunbookPath({ rule: { name: 'DatabaseDown' } })).toBe(
      '/a/opsdesk-runbooks-app/alert?alertname=DatabaseDown'
    );
    expect(alertRunbookPath(undefined)).toBeUndefined();
    expect(alertInstanceLink.configure?.({})).toBeUndefined();
  });

  it('targets the alert instance actions and configures its path', () => {
    expect(alertInstanceLink.targets).toEqual([PluginExtensionPoints.AlertInstanceAction]);
    expect(alertInstanceLink.configure?.({ rule: { name: 'ApiDown' } })).toEqual({
      path: '/a/opsdesk-runbooks-app/alert?alertname=ApiDown',
    });
  });
});

describe('panel menu link', () => {
  it("opens the dashboard's runbook beside it with the panel's time range", () => {
    expect(panelRunbookPath(panelContext())).toBe(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?from=now-6h&to=now&dashboard=opsdesk-event-bus'
    );
  });

  it('turns an absolute time range into epoch milliseconds', () => {
    const from = dateTime('2026-11-26T15:00:00Z');
    const to = dateTime('2026-11-26T16:00:00Z');
    expect(panelRunbookPath(panelContext({ timeRange: { from, to } }))).toContain(
      `from=${from.valueOf()}&to=${to.valueOf()}`
    );
  });

  it('prefers the runbook that names the fewest dashboards', () => {
    expect(
      panelRunbookPath(panelContext({ dashboard: { uid: 'opsdesk-platform-overview', title: '', tags: [] } }))
    ).toMatch(/\/runbooks\/database-recovery\/beside\?/);
  });

  it('is hidden on a dashboard no runbook names', () => {
    expect(
      panelMenuLink.configure?.(panelContext({ dashboard: { uid: 'someone-elses', title: '', tags: [] } }))
    ).toBeUndefined();
  });
});

describe('plugin.json declares every link module.tsx adds', () => {
  it.each([alertInstanceLink, panelMenuLink])('$title', (link) => {
    // Since Grafana 11.4 an undeclared link silently does not load.
    expect(pluginJson.extensions.addedLinks).toContainEqual({
      targets: link.targets,
      title: link.title,
      description: link.description,
    });
  });
});
