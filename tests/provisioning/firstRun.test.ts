// What a first run on a real Grafana needs from the files a user follows: every place that tells Grafana which
// unsigned plugins to load names the app and its nested panel (outside development mode Grafana checks the panel's
// signature under its own id: pkg/plugins/manager/signature/authorizer.go), and nothing provisions the app's
// dashboards a second time beside its plugin.json includes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const pluginJson = JSON.parse(read('plugin.json'));
const panelJson = JSON.parse(read('src/panels/dlq-health/plugin.json'));
const SETTING = /allow_loading_unsigned_plugins|ALLOW_LOADING_UNSIGNED_PLUGINS/;

describe('first run on a real Grafana', () => {
  it('every unsigned-plugins setting in the repository lists the app and its panel', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(md|ya?ml|ini|env|example|sh)$/.test(file) && !file.startsWith('.config/'));
    const places = tracked.flatMap((file) =>
      read(file)
        .split('\n')
        .map((line, index) => ({ where: `${file}:${index + 1}`, line }))
        .filter(({ line }) => SETTING.test(line))
    );
    assert.ok(places.length >= 3, `found the setting in ${places.map((p) => p.where).join(', ')}`);
    for (const { where, line } of places) {
      assert.ok(
        line.includes(pluginJson.id) && line.includes(panelJson.id),
        `${where} lists only some: ${line.trim()}`
      );
    }
  });

  it("the compose stack's Grafana allows both ids, over the scaffold's base file", () => {
    const compose = parse(read('docker-compose.yaml'));
    const allowed = String(compose.services.grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).split(',');
    assert.deepEqual(allowed.sort(), [panelJson.id, pluginJson.id].sort());
  });

  it("has no dashboard provider: the app's includes are the one source of its dashboards", () => {
    const providers = fs
      .readdirSync(path.join(root, 'provisioning/dashboards'))
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap((file) => (parse(read(`provisioning/dashboards/${file}`))?.providers ?? []) as unknown[]);
    const included = (pluginJson.includes as Array<{ type: string }>).filter((include) => include.type === 'dashboard');
    assert.ok(included.length > 0);
    assert.deepEqual(providers, []);
  });
});
