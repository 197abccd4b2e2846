// Prometheus rules (promtool), the notification template (amtool, Alertmanager's template engine, which Grafana's
// notification templates extend), the generated files being current, and the local stack's Prometheus config.
// promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages; without them the tests
// that need them are skipped and say so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { localPrometheusConfig } from '../../scripts/stack/prometheusConfig';

const root = path.resolve(__dirname, '../..');
const has = (binary: string) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
const run = (command: string, args: string[]) => spawnSync(command, args, { cwd: root, encoding: 'utf8' });

/** The provisioning file's shape, as far as these tests read it. */
interface PrometheusRuleFile {
  groups: Array<{ rules: unknown[] }>;
}

interface NotificationTemplates {
  templates: Array<{ name: string; template: string }>;
}

describe('Prometheus rules', () => {
  it('the generated rule files, dashboards and Grafana rules are current', () => {
    const result = run(process.execPath, ['scripts/generate-provisioning.mjs', '--check']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('pass promtool check config and check rules', { skip: !has('promtool') && 'promtool is not installed' }, () => {
    const config = run('promtool', ['check', 'config', 'provisioning/prometheus/prometheus.yml']);
    assert.equal(config.status, 0, config.stdout + config.stderr);
    const rules = (
      parse(
        fs.readFileSync(path.join(root, 'provisioning/prometheus/rules/opsdesk-alerts.yaml'), 'utf8')
      ) as PrometheusRuleFile
    ).groups.flatMap((group) => group.rules);
    assert.match(config.stdout, new RegExp(`${rules.length} rules found`));
  });

  it(
    'pass the promtool unit tests (firing and quiet series)',
    { skip: !has('promtool') && 'promtool is not installed' },
    () => {
      const result = run('promtool', ['test', 'rules', 'provisioning/prometheus/tests/opsdesk-alerts.test.yaml']);
      assert.equal(result.status, 0, result.stdout + result.stderr);
    }
  );
});

describe('notification template', () => {
  const file = 'provisioning/alerting/opsdesk-notification-template.yaml';
  const render = (text: string, data = 'tests/provisioning/fixtures/notification-data.json') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdesk-template-'));
    try {
      const glob = path.join(dir, 'opsdesk.tmpl');
      const { templates } = parse(fs.readFileSync(path.join(root, file), 'utf8')) as NotificationTemplates;
      fs.writeFileSync(glob, templates[0].template);
      const result = run('amtool', [
        'template',
        'render',
        `--template.glob=${glob}`,
        `--template.text=${text}`,
        `--template.data=${data}`,
      ]);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      return result.stdout;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const skip = !has('amtool') && 'amtool is not installed (apt-get install -y prometheus-alertmanager)';

  it('prints each runbook as an absolute link under the external URL, once', { skip }, () => {
    const out = render('{{ template "opsdesk.message" . }}');
    assert.match(
      out,
      /^Runbook: http:\/\/localhost:3000\/a\/opsdesk-runbooks-app\/runbooks\/dlq-management\?alertname=EventBusDlqBacklogGrowing&stream=%7Bevents%7D%3Aorders$/m
    );
    assert.doesNotMatch(out, /3000\/\/a\//);
  });

  it('leaves an absolute runbook_url alone and points an alert without one to the app search', { skip }, () => {
    const out = render('{{ template "opsdesk.message" . }}');
    assert.match(out, /^Runbook: https:\/\/runbooks\.example\.com\/elsewhere$/m);
    assert.match(
      out,
      /^Runbook: none linked; search http:\/\/localhost:3000\/a\/opsdesk-runbooks-app\/alert\?alertname=NoRunbook$/m
    );
  });

  it("prints the alert's labels, without Grafana's private ones", { skip }, () => {
    const out = render('{{ template "opsdesk.message" . }}');
    assert.match(
      out,
      /^Labels: alertname=EventBusDlqBacklogGrowing owner=platform-team severity=warning source=event-bus stream=\{events\}:orders$/m
    );
    assert.doesNotMatch(out, /__alert_rule_uid__/);
  });

  it('titles the message with the status and the number firing', { skip }, () => {
    assert.equal(render('{{ template "opsdesk.title" . }}').trim(), '[FIRING:2] EventBusDlqBacklogGrowing');
  });
});

describe('local stack', () => {
  it("runs Prometheus with the repository's configuration, the target moved to the local port", () => {
    const config = localPrometheusConfig(18080);
    const job = config.scrape_configs?.find((j) => j.job_name === 'event-bus');
    assert.deepEqual(job?.static_configs?.[0].targets, ['127.0.0.1:18080']);
    assert.equal(job?.static_configs?.[0].labels?.service, 'event-bus');
    assert.equal(config.global?.scrape_interval, '15s');
    assert.ok(config.rule_files.every((f) => path.isAbsolute(f) && f.endsWith(path.join('rules', '*.yaml'))));
  });
});
