import { checkRunbooks } from './checkRunbooks';
import { AlertRule, CheckInput, Finding, SourceFile } from './types';

const TODAY = new Date('2026-11-26T12:00:00Z');

function runbook(overrides: { frontMatter?: string; body?: string } = {}): string {
  const frontMatter =
    overrides.frontMatter ??
    [
      'title: DLQ management',
      'owner: platform-team',
      'escalation: "#platform-oncall"',
      'last_reviewed: 2026-11-01',
      'review_every: 90',
      'alerts: [EventBusDlqBacklogGrowing]',
      'dashboards: [opsdesk-event-bus]',
      'tags: [dlq]',
      'last_exercised: 2026-10-15',
    ].join('\n');
  const body =
    overrides.body ??
    [
      '# DLQ management',
      '## Overview',
      'Watch `eventbus_dlq_length` and see [retry](#retry-the-entries).',
      '## When to Use',
      'When [the database](./database-recovery.md#restore) is fine.',
      '### EventBusDlqBacklogGrowing',
      '## Prerequisites',
      '## Procedure',
      '### Retry the entries',
      '```bash exec',
      'curl -sS -X POST "$GRAFANA_URL/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/retry" \\',
      '  -H "Authorization: Bearer $GRAFANA_SA_TOKEN" -d \'{"upToId":"1-0"}\'',
      'curl -sS "$GRAFANA_URL/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/operations/$OPERATION_ID"',
      '```',
      '```promql',
      'histogram_quantile(0.99, sum by (le) (rate(eventbus_dlq_operation_duration_seconds_bucket[5m])))',
      '```',
      '## Verification',
      '## Rollback',
      '## Related',
      '- [Dashboard](/d/opsdesk-event-bus) and [the app page](/a/opsdesk-runbooks-app/runbooks/database-recovery)',
    ].join('\n');
  return `---\n${frontMatter}\n---\n\n${body}\n`;
}

const DATABASE: SourceFile = {
  path: 'runbooks/database-recovery.md',
  source: runbook({
    frontMatter: [
      'title: Database recovery',
      'owner: platform-team',
      'escalation: "#platform-oncall"',
      'last_reviewed: 2026-11-01',
      'review_every: 90',
      'alerts: [DatabaseDown]',
      'dashboards: []',
      'tags: [postgresql]',
      'last_exercised: 2026-10-15',
    ].join('\n'),
    body: [
      '# Database recovery',
      '## Overview',
      '## When to Use',
      '### DatabaseDown',
      '## Prerequisites',
      '## Procedure',
      '### Restore',
      '## Verification',
      '## Rollback',
      '## Related',
    ].join('\n'),
  }),
};

const RULES: AlertRule[] = [
  {
    name: 'EventBusDlqBacklogGrowing',
    runbookUrl: '/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqBacklogGrowing',
    file: 'provisioning/alerting/rules.yaml',
    line: 10,
  },
  {
    name: 'DatabaseDown',
    runbookUrl: '/a/opsdesk-runbooks-app/runbooks/database-recovery',
    file: 'provisioning/alerting/rules.yaml',
    line: 30,
  },
];

function check(dlqSource: string, overrides: Partial<CheckInput> = {}): Finding[] {
  return checkRunbooks({
    files: [{ path: 'runbooks/dlq-management.md', source: dlqSource }, DATABASE],
    dashboards: new Set(['opsdesk-event-bus']),
    alertRules: RULES,
    eventBusApi: [
      { method: 'GET', path: '/api/events/health' },
      { method: 'GET', path: '/api/events/dlq' },
      { method: 'POST', path: '/api/events/dlq/retry' },
      { method: 'GET', path: '/api/events/dlq/operations/{operationId}' },
    ],
    metrics: {
      names: new Set(['eventbus_dlq_length', 'eventbus_dlq_operation_duration_seconds']),
      prefixes: ['process_'],
      namespaces: ['eventbus_'],
    },
    today: TODAY,
    ...overrides,
  });
}

/** The findings of one rule, as `line: message` for readable failures. */
function of(findings: Finding[], rule: Finding['rule']): string[] {
  return findings.filter((finding) => finding.rule === rule).map((finding) => `${finding.line}: ${finding.message}`);
}

describe('checkRunbooks', () => {
  it('accepts a runbook that follows every rule', () => {
    expect(check(runbook())).toEqual([]);
  });

  it('names the file, the line and a fix in every finding', () => {
    const [finding] = check(runbook({ body: runbook().split('---\n\n')[1].replace('## Rollback\n', '') }));

    expect(finding).toMatchObject({ file: 'runbooks/dlq-management.md', severity: 'error', rule: 'sections' });
    expect(finding.line).toBeGreaterThan(1);
    expect(finding.fix).toBe('add "## Rollback" before "## Related"');
  });

  describe('front matter', () => {
    it('fails a runbook without front matter', () => {
      const findings = check(runbook().replace(/^---[\s\S]*?---\n/, ''));
      expect(of(findings, 'front-matter')).toEqual(['1: front matter: has no front matter']);
    });

    it.each([
      ['review_every: 90', 'review_every: "90 days"', '6: front matter: `review_every` must be a whole number'],
      ['last_reviewed: 2026-11-01', 'last_reviewed: last week', '5: front matter: `last_reviewed` must be a date'],
      [
        'alerts: [EventBusDlqBacklogGrowing]',
        'alerts: EventBusDlqBacklogGrowing',
        '7: front matter: `alerts` must be a list',
      ],
      ['owner: platform-team', 'owner: ""', '3: front matter: `owner` must be a non-empty string'],
      ['tags: [dlq]', 'tags: []', '9: front matter: `tags` must name at least one entry'],
      ['tags: [dlq]', 'tags: [dlq]\nseverity: high', '10: front matter: `severity` is not a front matter key'],
    ])('fails %s written as %s', (good, bad, expected) => {
      const findings = check(runbook().replace(good, bad));
      expect(of(findings, 'front-matter')[0]).toContain(expected);
    });

    it('fails front matter that is not YAML', () => {
      expect(of(check(runbook().replace('tags: [dlq]', 'tags: [dlq')), 'front-matter')[0]).toMatch(/not valid YAML/);
    });

    it('fails an H1 that differs from the title', () => {
      expect(of(check(runbook().replace('# DLQ management', '# DLQ')), 'front-matter')).toEqual([
        '13: the H1 "DLQ" differs from the title "DLQ management"',
      ]);
    });
  });

  describe('sections', () => {
    it('fails a missing section', () => {
      expect(of(check(runbook().replace('## Prerequisites\n', '')), 'sections')).toEqual([
        '19: section "## Prerequisites" is missing',
      ]);
    });

    it('fails sections out of order', () => {
      const swapped = runbook().replace('## Verification\n## Rollback', '## Rollback\n## Verification');
      expect(of(check(swapped), 'sections')[0]).toMatch(/out of order: .*Procedure, Rollback, Verification/);
    });

    it('fails an H2 that is not a template section', () => {
      expect(of(check(runbook().replace('### Retry the entries', '## Retry the entries')), 'sections')).toEqual([
        '21: "## Retry the entries" is not a template section',
      ]);
    });

    it('fails a section that appears twice', () => {
      expect(of(check(runbook().replace('## Related', '## Rollback\n## Related')), 'sections')).toContain(
        '32: section "## Rollback" appears twice'
      );
    });

    it('ignores headings inside code blocks', () => {
      expect(check(runbook().replace('```bash exec\n', '```bash exec\n## Not a section\n'))).toEqual([]);
    });
  });

  describe('links', () => {
    it.each([
      ['./database-recovery.md#restore', './no-such.md', 'runbooks/no-such.md does not exist'],
      ['./database-recovery.md#restore', './database-recovery.md#nowhere', 'has no heading with anchor #nowhere'],
      ['#retry-the-entries', '#retry', 'has no heading with anchor #retry'],
      ['./database-recovery.md#restore', '../event-bus/README.md', 'leaves the runbooks'],
      ['./database-recovery.md#restore', 'javascript:alert(1)', 'uses a scheme other than http(s)'],
      ['/a/opsdesk-runbooks-app/runbooks/database-recovery', '/a/opsdesk-runbooks-app/runbooks/db', 'runbook "db"'],
    ])('fails a link to %s changed to %s', (good, bad, expected) => {
      const findings = of(check(runbook().replace(good, bad)), 'links');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toContain(expected);
    });
  });

  describe('dashboards', () => {
    it('fails a front matter uid that no provisioned dashboard has', () => {
      expect(
        of(check(runbook().replace('dashboards: [opsdesk-event-bus]', 'dashboards: [nope]')), 'dashboards')
      ).toEqual(['8: front matter names dashboard uid "nope", which no provisioned dashboard has']);
    });

    it('fails a dashboard link to an unknown uid', () => {
      expect(of(check(runbook().replace('/d/opsdesk-event-bus', '/d/nope')), 'dashboards')[0]).toContain('"nope"');
    });

    it('skips dashboard uids until dashboards are provisioned', () => {
      expect(check(runbook().replace('/d/opsdesk-event-bus', '/d/nope'), { dashboards: undefined })).toEqual([]);
    });
  });

  describe('alerts', () => {
    it('fails an alert in front matter that no rule has', () => {
      const findings = check(runbook().replace('[EventBusDlqBacklogGrowing]', '[EventBusDlqBacklogGrowing, Typo]'));
      expect(of(findings, 'alerts')).toEqual([
        '7: front matter lists alert Typo, but no provisioned alert rule has that name',
        '16: alert Typo has no block of its own under "## When to Use"',
      ]);
    });

    it('fails an alert without its block under When to Use, and a block elsewhere does not count', () => {
      const moved = runbook()
        .replace('### EventBusDlqBacklogGrowing\n', '')
        .replace('### Retry the entries', '### EventBusDlqBacklogGrowing\n### Retry the entries');
      expect(check(moved)).toEqual([
        expect.objectContaining({
          rule: 'alerts',
          line: 16,
          message: 'alert EventBusDlqBacklogGrowing has no block of its own under "## When to Use"',
          fix: 'add "### EventBusDlqBacklogGrowing" there: what it means, its impact, and the step to start at',
        }),
      ]);
    });

    it('fails a rule without runbook_url, to an unknown runbook, or to one that does not list it', () => {
      const findings = check(runbook(), {
        alertRules: [
          ...RULES,
          { name: 'NoLink', file: 'provisioning/alerting/rules.yaml', line: 40 },
          {
            name: 'Gone',
            runbookUrl: '/a/opsdesk-runbooks-app/runbooks/gone',
            file: 'provisioning/alerting/rules.yaml',
            line: 50,
          },
          {
            name: 'Unlisted',
            runbookUrl: '/a/opsdesk-runbooks-app/runbooks/dlq-management',
            file: 'provisioning/alerting/rules.yaml',
            line: 60,
          },
        ],
      });
      expect(of(findings, 'alerts')).toEqual([
        '40: alert rule NoLink has no runbook_url to a runbook',
        '50: alert rule Gone links to runbook "gone", which does not exist',
        '60: alert rule Unlisted links to dlq-management, whose front matter does not list it under alerts',
      ]);
    });

    it('fails an alert answered by two runbooks', () => {
      const findings = check(
        runbook().replace('[EventBusDlqBacklogGrowing]', '[EventBusDlqBacklogGrowing, DatabaseDown]')
      );
      expect(of(findings, 'alerts')).toContain(
        '7: alert DatabaseDown is answered by dlq-management and database-recovery'
      );
    });
  });

  describe('event-bus calls', () => {
    it('fails a curl to a path the API does not have', () => {
      expect(of(check(runbook().replace('/dlq/retry"', '/dlq/replay"')), 'event-bus-api')).toEqual([
        '23: POST /api/events/dlq/replay is not an operation of event-bus/openapi.yaml',
      ]);
    });

    it('fails a call with the wrong method, reading the method from -X or a body', () => {
      expect(of(check(runbook().replace('-X POST ', '-X DELETE ')), 'event-bus-api')).toEqual([
        '23: DELETE /api/events/dlq/retry: event-bus/openapi.yaml allows only POST on this path',
      ]);
    });

    it('checks METHOD /path code spans in prose', () => {
      expect(
        of(check(runbook().replace('Watch `', 'Call `POST /api/events/dlq/purge` or watch `')), 'event-bus-api')
      ).toEqual(['15: POST /api/events/dlq/purge is not an operation of event-bus/openapi.yaml']);
    });
  });

  describe('metrics', () => {
    it('fails a metric with a known prefix that nothing exports', () => {
      expect(of(check(runbook().replace('`eventbus_dlq_length`', '`eventbus_dlq_size`')), 'metrics')).toEqual([
        '15: metric "eventbus_dlq_size" is exported by nothing in the stack',
      ]);
    });

    it('leaves names outside its own namespaces alone in shell and SQL', () => {
      const sql = '```bash\npsql -c "select pg_terminate_backend(pid) from pg_stat_activity"\n```';
      expect(of(check(runbook().replace('## Prerequisites', `## Prerequisites\n${sql}`)), 'metrics')).toEqual([]);
    });

    it('fails any unknown metric selected in a promql block', () => {
      expect(
        of(check(runbook().replace('rate(eventbus', 'rate(queue_depth{a="b"}) + rate(eventbus')), 'metrics')
      ).toEqual(['28: metric "queue_depth" is exported by nothing in the stack']);
    });
  });

  describe('secrets and hostnames', () => {
    it.each([
      ['-----BEGIN RSA PRIVATE KEY-----', 'a private key'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig', 'a JSON Web Token'],
      ['Authorization: Bearer 9f8e7d6c5b4a39281706f5e4', 'a literal bearer token'],
      ['EVENT_BUS_TOKEN=hunter2hunter2x9', 'a literal credential'],
      ['postgres://app:s3cretpw@$DB_HOST/app', 'a password inside a URL'],
    ])('fails %s', (secret, what) => {
      expect(of(check(runbook().replace('## Prerequisites', `## Prerequisites\n${secret}`)), 'secrets')[0]).toContain(
        what
      );
    });

    it('accepts placeholders for secrets', () => {
      const placeholders = 'Authorization: Bearer $GRAFANA_SA_TOKEN and password: <password>, token: `#oncall`';
      expect(check(runbook().replace('## Prerequisites', `## Prerequisites\n${placeholders}`))).toEqual([]);
    });

    it.each(['https://grafana.acme-corp.com/d/x', 'db01.prod.internal', 'http://10.1.2.3:8080'])(
      'fails the host in %s',
      (host) => {
        expect(of(check(runbook().replace('## Prerequisites', `## Prerequisites\n${host}`)), 'hostnames')).toHaveLength(
          1
        );
      }
    );

    it('accepts example and documentation hosts and compose service names', () => {
      const hosts =
        'https://grafana.example.com, https://grafana.com/docs/, http://localhost:3000, http://event-bus:8080';
      expect(check(runbook().replace('## Prerequisites', `## Prerequisites\n${hosts}`))).toEqual([]);
    });
  });

  describe('commands', () => {
    /** The runbook with these lines added to its Procedure, under their own heading. */
    const withProcedure = (...lines: string[]) =>
      runbook().replace('## Verification', [...lines, '## Verification'].join('\n'));
    const block = (info: string, ...lines: string[]) => ['```' + info, ...lines, '```'];

    it('fails psql and pg_dump on DATABASE_URL, and accepts the URL without ?schema=', () => {
      const findings = check(
        withProcedure(
          '### Connect',
          ...block(
            'bash',
            'psql "$DATABASE_URL" -c "SELECT 1"',
            'pg_dump --format=custom \\',
            '  "${DATABASE_URL}" > x.dump'
          )
        )
      );
      expect(of(findings, 'commands')).toEqual([
        expect.stringMatching(/^\d+: psql and pg_dump reject the parameters Prisma puts in DATABASE_URL/),
        expect.stringMatching(/^\d+: psql and pg_dump reject/),
      ]);
      const fixed = withProcedure(
        '### Connect',
        ...block(
          'bash',
          `PSQL_URL=$(sed -E 's/([?&])schema=[^&]*(&|$)/\\1/; s/[?&]$//' <<<"$DATABASE_URL")`,
          'psql "$PSQL_URL" -c "SELECT 1"'
        )
      );
      expect(of(check(fixed), 'commands')).toEqual([]);
    });

    it('fails logs read from one pod of a deployment, and accepts a label selector', () => {
      const findings = check(
        withProcedure(
          '### Logs',
          ...block('bash', 'kubectl logs -n "$NAMESPACE" deploy/api --since=15m'),
          ...block('bash', 'kubectl logs -n "$NAMESPACE" -l app.kubernetes.io/name=api --since=15m --prefix')
        )
      );
      expect(of(findings, 'commands')).toEqual([
        expect.stringMatching(/reads one pod of the deployment/),
        expect.stringMatching(/shows only the last 10 lines of each pod/),
      ]);
      const fixed = withProcedure(
        '### Logs',
        ...block(
          'bash',
          'kubectl logs -n "$NAMESPACE" -l app.kubernetes.io/name=api --all-containers --prefix --since=15m --tail=-1'
        )
      );
      expect(of(check(fixed), 'commands')).toEqual([]);
    });

    it.each([
      ['DELETE FROM', block('sql', 'DELETE FROM orders WHERE id = 1;')],
      ['pg_terminate_backend', block('sql', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity;')],
      ['kubectl delete', block('bash', 'kubectl delete pod -n "$NAMESPACE" "$POD"')],
      [
        'a purge',
        block(
          'bash',
          'curl -sS -X POST "$GRAFANA_URL/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/purge" -d "{}"'
        ),
      ],
      ['a heredoc', block('bash', 'psql "$PSQL_URL" <<\'SQL\'', 'BEGIN;', 'DROP TABLE orders_copy;', 'COMMIT;', 'SQL')],
    ])('fails a destructive command nothing checked first: %s', (_name, lines) => {
      expect(of(check(withProcedure('### Clean up', ...lines)), 'commands')).toEqual([
        expect.stringMatching(/runs before anything shows what it will affect/),
      ]);
    });

    it('accepts a destructive command after a check in its block or an earlier block under its heading', () => {
      const sameBlock = block('sql', 'SELECT count(*) FROM orders WHERE id = 1;', 'DELETE FROM orders WHERE id = 1;');
      expect(of(check(withProcedure('### Clean up', ...sameBlock)), 'commands')).toEqual([]);

      const earlierBlock = [
        ...block('bash', 'kubectl get pod -n "$NAMESPACE" "$POD" -o wide'),
        'If it is the stuck one:',
        ...block('bash', 'kubectl delete pod -n "$NAMESPACE" "$POD"'),
      ];
      expect(of(check(withProcedure('### Clean up', ...earlierBlock)), 'commands')).toEqual([]);

      const dryRunFirst = [
        ...block(
          'bash',
          'curl -sS "$GRAFANA_URL/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/purge" -d \'{"dryRun": true}\''
        ),
        ...block(
          'bash',
          'curl -sS "$GRAFANA_URL/api/plugin-proxy/opsdesk-runbooks-app/api/events/dlq/purge" -d \'{"dryRun": false}\''
        ),
      ];
      expect(of(check(withProcedure('### Purge', ...dryRunFirst)), 'commands')).toEqual([]);
    });

    it('does not count a check under another heading, or sample output', () => {
      const elsewhere = [
        '### Look',
        ...block('bash', 'kubectl get pods -n "$NAMESPACE"'),
        '### Clean up',
        ...block('text', 'pod/api-1 Running'),
        ...block('bash', 'kubectl delete pod -n "$NAMESPACE" "$POD"'),
      ];
      expect(of(check(withProcedure(...elsewhere)), 'commands')).toEqual([
        expect.stringMatching(/kubectl delete runs before anything shows/),
      ]);
    });
  });

  describe('review', () => {
    it('warns when the review is past due, without failing', () => {
      const findings = check(runbook().replace('last_reviewed: 2026-11-01', 'last_reviewed: 2026-08-01'));
      expect(findings).toEqual([
        expect.objectContaining({
          severity: 'warning',
          rule: 'stale',
          line: 5,
          message: 'review was due on 2026-10-30 (last_reviewed 2026-08-01 + 90 days)',
        }),
      ]);
    });

    it('warns when no drill is recorded, or the last one is older than exercise_every, without failing', () => {
      const never = check(runbook().replace('last_exercised: 2026-10-15\n', ''));
      expect(never).toEqual([
        expect.objectContaining({
          severity: 'warning',
          rule: 'stale',
          message: 'no drill of this procedure is recorded (last_exercised)',
        }),
      ]);
      expect(check(runbook().replace('last_exercised: 2026-10-15', 'last_exercised: never'))).toHaveLength(1);

      const overdue = check(
        runbook().replace('last_exercised: 2026-10-15', 'last_exercised: 2026-08-01\nexercise_every: 90')
      );
      expect(overdue).toEqual([
        expect.objectContaining({
          severity: 'warning',
          rule: 'stale',
          line: 10,
          message: 'a drill was due on 2026-10-30 (last_exercised 2026-08-01 + 90 days)',
        }),
      ]);
    });

    it('fails a last_exercised that is not a date or never', () => {
      expect(
        of(check(runbook().replace('last_exercised: 2026-10-15', 'last_exercised: last week')), 'front-matter')
      ).toEqual([expect.stringMatching(/`last_exercised` must be the date of the last drill/)]);
    });
  });
});
