// A team's own runbooks, from a folder outside the repository (docs/own-runbooks.md): the checker holds them against
// the team's own alert rules and dashboards, and the plugin builds with them, 500 runbooks within the size budgets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { makeRunbookFolder, SYNTHETIC_DIR } from '../../scripts/bench/syntheticRunbooks';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNBOOK_FILES = 500;

function run(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The files under a folder, recursively, from its root with `/`. */
function filesIn(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((file) => file.split(path.sep).join('/'));
}

describe('runbooks from a folder outside the repository', () => {
  let work: string;
  let runbooks: string;
  let rules: string;
  let dashboards: string;
  let env: Record<string, string>;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdesk-own-runbooks-'));
    runbooks = path.join(work, 'team-runbooks');
    rules = path.join(work, 'team-alert-rules');
    dashboards = path.join(work, 'team-dashboards');
    makeRunbookFolder(runbooks, RUNBOOK_FILES - 8);
    fs.mkdirSync(rules);
    fs.copyFileSync(
      path.join(ROOT, 'provisioning/alerting/opsdesk-alert-rules.yaml'),
      path.join(rules, 'grafana.yaml')
    );
    for (const file of filesIn(path.join(ROOT, 'provisioning/prometheus/rules'))) {
      fs.copyFileSync(path.join(ROOT, 'provisioning/prometheus/rules', file), path.join(rules, `prometheus-${file}`));
    }
    fs.cpSync(path.join(ROOT, 'src/dashboards'), dashboards, { recursive: true });
    env = { RUNBOOKS_DIR: runbooks, ALERT_RULES_DIR: rules, DASHBOARDS_DIR: dashboards, WEBPACK_CACHE: 'off' };
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('passes the checker, against the alert rules and dashboards of the team', () => {
    const { status, output } = run('npx', ['ts-node', 'scripts/check-runbooks.ts'], env);
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`^${RUNBOOK_FILES} runbook files: 0 errors, \\d+ warnings$`, 'm'));
    // Warnings are the drills and reviews a team still owes (this repository's runbooks record no drill yet).
    const warnings = output.split('\n').filter((line) => / warning \[/.test(line));
    assert.ok(
      warnings.every((line) => line.includes(' warning [stale] ')),
      warnings.join('\n')
    );
  });

  it('fails the checker on the rules of the repository, naming the files where they are', () => {
    const broken = path.join(work, 'broken-runbooks');
    fs.cpSync(runbooks, broken, { recursive: true });
    const file = path.join(broken, SYNTHETIC_DIR, 'synthetic-0001.md');
    fs.appendFileSync(file, '\nSee [the old procedure](retired.md).\n');
    const noDashboards = path.join(work, 'no-dashboards');
    fs.mkdirSync(noDashboards);
    fs.copyFileSync(path.join(dashboards, 'event-bus.json'), path.join(noDashboards, 'event-bus.json'));

    const { status, output } = run('npx', ['ts-node', 'scripts/check-runbooks.ts'], {
      ...env,
      RUNBOOKS_DIR: broken,
      DASHBOARDS_DIR: noDashboards,
    });

    assert.equal(status, 1, output);
    // The whole report, long as it is, down to its summary: a forced exit used to cut it short in a pipe.
    assert.match(output, new RegExp(`^${RUNBOOK_FILES} runbook files: \\d+ errors, \\d+ warnings$`, 'm'));
    assert.match(
      output,
      new RegExp(`^${path.join(broken, 'troubleshooting/agent-errors.md')}:\\d+: error \\[dashboards\\]`, 'm')
    );
    const lines = fs.readFileSync(file, 'utf8').split('\n').length;
    assert.match(output, new RegExp(`^${file}:${lines - 1}: error \\[links\\] link to "retired.md"`, 'm'));
    assert.match(
      output,
      new RegExp(
        `^${path.join(broken, 'database-recovery.md')}:\\d+: error \\[dashboards\\].*opsdesk-platform-overview`,
        'm'
      )
    );
  });

  it('builds the plugin with them: module.js without their text, each page loading its part, within the budgets', () => {
    const dist = path.join(work, 'dist');
    const build = run(
      'npx',
      ['webpack', '-c', './webpack.config.ts', '--env', 'production', '--output-path', dist],
      env
    );
    assert.equal(build.status, 0, build.output);
    const pluginJson = fs.readFileSync(path.join(dist, 'plugin.json'), 'utf8');
    assert.doesNotMatch(pluginJson, /%VERSION%|%TODAY%/, 'the version and date are filled in the folder it built');

    const budget = run('node', ['scripts/bundle-size.mjs', dist], {});
    assert.equal(budget.status, 0, budget.output);

    const synthetic = filesIn(path.join(runbooks, SYNTHETIC_DIR)).map((file) =>
      fs.readFileSync(path.join(runbooks, SYNTHETIC_DIR, file), 'utf8')
    );
    const title = (source: string) => /^title: (.*)$/m.exec(source)![1];
    const moduleJs = fs.readFileSync(path.join(dist, 'module.js'), 'utf8');
    assert.ok(!moduleJs.includes(title(synthetic[0])), 'module.js holds no runbook title');

    const chunks = filesIn(dist).filter((file) => file.endsWith('.js'));
    const indexChunks = chunks.filter((file) =>
      fs.readFileSync(path.join(dist, file), 'utf8').includes(title(synthetic[0]))
    );
    assert.equal(indexChunks.length, 1, `one chunk holds the cards: ${indexChunks.join(', ')}`);
    const index = fs.readFileSync(path.join(dist, indexChunks[0]), 'utf8');
    assert.ok(
      synthetic.every((source) => index.includes(title(source))),
      'every card is in the index chunk'
    );
    assert.ok(!index.includes('## Procedure'), 'no body is in the index chunk');

    const contentFiles = filesIn(path.join(dist, 'runbooks')).filter((file) => file.startsWith('content-'));
    const slugsPerFile = contentFiles.map((file) =>
      Object.keys(JSON.parse(fs.readFileSync(path.join(dist, 'runbooks', file), 'utf8')))
    );
    const slugs = slugsPerFile.flat();
    assert.equal(slugs.length, RUNBOOK_FILES - 1, 'every runbook (all but README.md) is in exactly one content file');
    assert.equal(new Set(slugs).size, slugs.length);
    assert.ok(contentFiles.length > 1, 'the content is split');
  });

  it('fails the build on a runbook whose front matter cannot be read, naming it', () => {
    const broken = path.join(work, 'unreadable-runbooks');
    fs.cpSync(path.join(ROOT, 'runbooks'), broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'half-written.md'), '---\ntitle: [unclosed\n---\n\n# Half written\n');

    const build = run(
      'npx',
      ['webpack', '-c', './webpack.config.ts', '--env', 'production', '--output-path', path.join(work, 'dist-broken')],
      { ...env, RUNBOOKS_DIR: broken }
    );

    assert.notEqual(build.status, 0);
    assert.match(build.output, /runbooks cannot be compiled/);
    assert.ok(build.output.includes(path.join(broken, 'half-written.md')), build.output);
  });
});
