// The provisioning checker passes on the repository and catches each mistake it exists for (negative controls).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { checkProvisioning } from './checkProvisioning';
import { ProvisioningInput } from './types';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const runbookFiles = (fs.readdirSync(path.join(root, 'runbooks'), { recursive: true }) as string[]).filter((f) =>
  f.endsWith('.md')
);

function input(): ProvisioningInput {
  return {
    runbooks: runbookFiles.map((file) => ({ path: file, source: read(`runbooks/${file}`) })),
    dashboards: [{ file: 'event-bus.json', json: JSON.parse(read('src/dashboards/event-bus.json')) }],
    datasourceFiles: [{ file: 'ds.yaml', doc: parse(read('provisioning/datasources/prometheus.yaml')) }],
    alertingFiles: [
      {
        file: 'rules.yaml',
        doc: (() => {
          const doc = parse(read('provisioning/alerting/opsdesk-alert-rules.yaml'));
          // Only the event-bus group: its runbooks are the ones loaded above.
          doc.groups = doc.groups.filter((g: { name: string }) => g.name === 'opsdesk-event-bus');
          doc.groups[0].rules = doc.groups[0].rules.filter(
            (r: { title: string }) => !r.title.startsWith('EventBusConsumer')
          );
          return doc;
        })(),
      },
    ],
    prometheusRuleFiles: [],
    ourPanels: ['opsdesk-dlqhealth-panel'],
  };
}

const messages = (i: ProvisioningInput) => checkProvisioning(i).map((p) => p.message);
const rules = (i: ProvisioningInput) => i.alertingFiles[0].doc.groups[0].rules;
const dashboard = (i: ProvisioningInput) => i.dashboards[0].json as any;
const rule = (i: ProvisioningInput, title: string) => rules(i).find((r: { title: string }) => r.title === title);

describe('provisioning checker', () => {
  it('passes on the repository (npm run check:provisioning)', () => {
    const run = spawnSync('npx', ['ts-node', 'scripts/check-provisioning.ts'], { cwd: root, encoding: 'utf8' });
    expect({ status: run.status, output: run.stdout + run.stderr }).toMatchObject({ status: 0 });
    expect(run.stdout).toMatch(/0 problems/);
  });

  it('accepts the unmodified fixture', () => {
    expect(messages(input())).toEqual([]);
  });

  it('rejects a panel type that is neither core nor ours', () => {
    const i = input();
    dashboard(i).panels[1].type = 'grafana-piechart-panel';
    expect(messages(i).join('\n')).toMatch(/panel type "grafana-piechart-panel" is neither a core panel nor ours/);
  });

  it('rejects a datasource uid nothing provisions', () => {
    const i = input();
    dashboard(i).panels[1].targets[0].datasource.uid = 'P1809F7CD0C75ACF3';
    expect(messages(i).join('\n')).toMatch(/datasource uid "P1809F7CD0C75ACF3", which nothing provisions/);
  });

  it('rejects a datasource variable that does not exist or defaults to an unprovisioned uid', () => {
    const i = input();
    dashboard(i).panels[2].datasource.uid = '${prom}';
    dashboard(i).templating.list[0].current.value = 'P0000000000000001';
    const found = messages(i).join('\n');
    expect(found).toMatch(/uses \$\{prom\}, which is not a datasource variable/);
    expect(found).toMatch(/defaults to datasource uid "P0000000000000001"/);
  });

  it('rejects a duplicate panel id and a dashboard id', () => {
    const i = input();
    dashboard(i).panels[2].id = dashboard(i).panels[1].id;
    dashboard(i).id = 7;
    const found = messages(i).join('\n');
    expect(found).toMatch(/is used twice/);
    expect(found).toMatch(/must leave it out/);
  });

  it('rejects a runbook_url to a missing runbook, a missing heading, or a runbook not listing the alert', () => {
    const i = input();
    rule(i, 'EventBusDlqBacklogGrowing').annotations.runbook_url =
      '/a/opsdesk-runbooks-app/runbooks/dlq?alertname=EventBusDlqBacklogGrowing';
    rule(i, 'EventBusDlqOldestMessageTooOld').annotations.runbook_url =
      '/a/opsdesk-runbooks-app/runbooks/dlq-management?alertname=EventBusDlqOldestMessageTooOld#nowhere';
    rule(i, 'EventBusDown').annotations.runbook_url =
      '/a/opsdesk-runbooks-app/runbooks/troubleshooting/auth-failures?alertname=EventBusDown';
    const found = messages(i).join('\n');
    expect(found).toMatch(/runbook "dlq" does not exist/);
    expect(found).toMatch(/has no heading #nowhere/);
    expect(found).toMatch(/whose front matter does not list EventBusDown/);
  });

  it('rejects a rule without alertname in its link, severity, owner or summary', () => {
    const i = input();
    rule(i, 'EventBusDlqBacklogGrowing').annotations.runbook_url = '/a/opsdesk-runbooks-app/runbooks/dlq-management';
    delete rule(i, 'EventBusDlqBacklogGrowing').labels.severity;
    delete rule(i, 'EventBusDlqBacklogGrowing').labels.owner;
    delete rule(i, 'EventBusDlqBacklogGrowing').annotations.summary;
    const found = messages(i).join('\n');
    expect(found).toMatch(/must carry alertname=/);
    expect(found).toMatch(/labels.severity/);
    expect(found).toMatch(/labels.owner is missing/);
    expect(found).toMatch(/annotations.summary is missing/);
  });

  it('rejects a condition, panel or dashboard that does not exist', () => {
    const i = input();
    rule(i, 'EventBusDlqBacklogGrowing').condition = 'C';
    rule(i, 'EventBusDlqOldestMessageTooOld').panelId = 99;
    rule(i, 'EventBusDown').dashboardUid = 'opsdesk-nowhere';
    const found = messages(i).join('\n');
    expect(found).toMatch(/condition "C" is not the refId/);
    expect(found).toMatch(/panelId 99 is not a panel of opsdesk-event-bus/);
    expect(found).toMatch(/dashboardUid "opsdesk-nowhere" is not a provisioned dashboard/);
  });

  it('rejects Prometheus rules that differ from the Grafana ones', () => {
    const i = input();
    i.prometheusRuleFiles = [
      {
        file: 'prom.yaml',
        doc: {
          groups: [
            {
              name: 'g',
              rules: [
                {
                  alert: 'EventBusDown',
                  annotations: { runbook_url: '/a/opsdesk-runbooks-app/runbooks/dlq-management' },
                },
                { alert: 'Unknown', annotations: {} },
              ],
            },
          ],
        },
      },
    ];
    const found = messages(i).join('\n');
    expect(found).toMatch(/Prometheus alert EventBusDown links to/);
    expect(found).toMatch(/Prometheus alert Unknown has no Grafana-managed twin/);
    expect(found).toMatch(/Grafana rule EventBusDlqBacklogGrowing has no Prometheus twin/);
  });
});
