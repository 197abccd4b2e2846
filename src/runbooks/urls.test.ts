import {
  alertContextFrom,
  alertResolverPath,
  besideDashboard,
  besidePath,
  contextParams,
  dashboardParams,
  runbookLinkTarget,
  runbookPath,
} from './urls';

const FROM_ALERT = new URLSearchParams(
  'alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders&severity=warning&from=now-1h&to=now&var-env=prod&q=x'
);

describe('alertContextFrom', () => {
  it('reads the alert name and its labels, leaving time range, variables and page state out', () => {
    expect(alertContextFrom(FROM_ALERT)).toEqual({
      alertname: 'EventBusDlqBacklogGrowing',
      labels: [
        ['stream', '{events}:orders'],
        ['severity', 'warning'],
      ],
    });
  });

  it("leaves out a label whose value is the rule's template, as the rule page links it unrendered", () => {
    const fromRulePage = new URLSearchParams(
      'alertname=EventBusDlqBacklogGrowing&stream={{ $labels.stream | urlquery }}&severity=warning'
    );
    expect(alertContextFrom(fromRulePage)).toEqual({
      alertname: 'EventBusDlqBacklogGrowing',
      labels: [['severity', 'warning']],
    });
    expect(dashboardParams(fromRulePage).has('var-stream')).toBe(false);
    expect(contextParams(fromRulePage).has('stream')).toBe(false);
    expect(alertContextFrom(new URLSearchParams('alertname={{ $labels.alertname }}'))).toBeUndefined();
  });

  it('finds no alert without alertname', () => {
    expect(alertContextFrom(new URLSearchParams('stream=x'))).toBeUndefined();
  });
});

describe('dashboardParams', () => {
  it('carries the time range and variables, and turns the stream label into the stream variable', () => {
    expect(dashboardParams(FROM_ALERT).toString()).toBe(
      'from=now-1h&to=now&var-env=prod&var-stream=%7Bevents%7D%3Aorders'
    );
  });

  it('keeps an explicit variable over the label', () => {
    expect(dashboardParams(new URLSearchParams('stream=a&var-stream=b')).get('var-stream')).toBe('b');
  });
});

describe('paths', () => {
  it('carries the alert context on to another page, without the index search', () => {
    expect(contextParams(FROM_ALERT).has('q')).toBe(false);
    expect(contextParams(FROM_ALERT).get('alertname')).toBe('EventBusDlqBacklogGrowing');
  });

  it('builds runbook, beside and resolver paths under the app', () => {
    expect(runbookPath('troubleshooting/auth-failures', undefined, 'event-bus-401s')).toBe(
      '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures#event-bus-401s'
    );
    expect(besidePath('dlq-management', 'opsdesk-event-bus', new URLSearchParams('from=now-6h'))).toBe(
      '/a/opsdesk-runbooks-app/runbooks/dlq-management/beside?from=now-6h&dashboard=opsdesk-event-bus'
    );
    expect(alertResolverPath('ApiDown', { alertname: 'ApiDown', service: 'api', __alert_rule_uid__: 'x' })).toBe(
      '/a/opsdesk-runbooks-app/alert?alertname=ApiDown&service=api'
    );
  });
});

describe('besideDashboard', () => {
  const listed = ['opsdesk-platform-overview', 'opsdesk-event-bus'];

  it('takes the dashboard the link names when the runbook lists it', () => {
    expect(besideDashboard(listed, 'opsdesk-event-bus')).toBe('opsdesk-event-bus');
  });

  it("falls back to the runbook's first dashboard for a name it does not list, or none", () => {
    expect(besideDashboard(listed, 'someone-elses-dashboard')).toBe('opsdesk-platform-overview');
    expect(besideDashboard(listed, '')).toBe('opsdesk-platform-overview');
    expect(besideDashboard(listed, null)).toBe('opsdesk-platform-overview');
  });

  it('names no dashboard for a runbook that lists none, whatever the link says', () => {
    expect(besideDashboard([], 'opsdesk-event-bus')).toBeUndefined();
  });
});

describe('runbookLinkTarget', () => {
  it.each([
    [
      'dlq-management',
      './key-rotation.md#rotate-the-event-bus-token',
      { slug: 'key-rotation', anchor: 'rotate-the-event-bus-token' },
    ],
    ['troubleshooting/auth-failures', '../key-rotation.md', { slug: 'key-rotation', anchor: undefined }],
    ['troubleshooting/auth-failures', './agent-errors.md', { slug: 'troubleshooting/agent-errors', anchor: undefined }],
    ['dlq-management', './README.md#escalation', { slug: '', anchor: 'escalation' }],
    ['dlq-management', '#verification', undefined],
    ['dlq-management', 'https://grafana.com/docs/', undefined],
    ['dlq-management', '/d/opsdesk-event-bus', undefined],
    ['dlq-management', 'javascript:alert(1)', undefined],
  ])('from %s, %s → %p', (from, href, expected) => {
    expect(runbookLinkTarget(from, href)).toEqual(expected);
  });
});
