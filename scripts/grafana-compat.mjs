// `npm run compat:grafana`: Grafana's API compatibility check, the one create-plugin's template runs in CI
// (`levitate is-compatible`), for each plugin module against the oldest release of every range in
// `grafanaDependency` and against the newest release. It downloads the packages from the npm registry, so it takes a
// few minutes and is not part of the test command; the GitHub workflow runs it.
//
// npm does not publish every Grafana release's packages (12.1.7 and 12.2.5 are missing, and @grafana/runtime has
// nothing between 12.0.2 and 12.1.0), so each range is checked against the lowest published version inside it, or
// the newest of its minor line when there is none. Type-only differences that do not change behaviour are listed,
// with their reason, in .levignore.js.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import semver from 'semver';

const LEVITATE = '@grafana/levitate@0.17.2';
const PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime'];
const MODULES = ['src/module.tsx', 'src/panels/dlq-health/module.ts'];

const pluginJson = JSON.parse(fs.readFileSync('src/plugin.json', 'utf8'));
const ranges = pluginJson.dependencies.grafanaDependency.split('||').map((range) => range.trim());

const published = Object.fromEntries(
  PACKAGES.map((pkg) => [
    pkg,
    JSON.parse(execFileSync('npm', ['view', pkg, 'versions', '--json'], { encoding: 'utf8' })),
  ])
);
const latest = execFileSync('npm', ['view', '@grafana/data', 'version'], { encoding: 'utf8' }).trim();

/**
 * The package of the range's oldest release: the lowest published version from the range's floor on its minor line;
 * where npm has none (it skips many patch releases), the newest published one of that line, which differs from the
 * release only by patches.
 */
function oldestOf(pkg, range) {
  const versions = published[pkg].filter((v) => !semver.prerelease(v));
  const floor = semver.minVersion(range);
  const line = `${floor.major}.${floor.minor}`;
  const inside = semver.minSatisfying(versions, `>=${floor.version} <${floor.major}.${floor.minor + 1}.0-0`);
  if (inside) {
    return inside;
  }
  const sameLine = semver.maxSatisfying(versions, `~${line}.0`);
  if (!sameLine) {
    throw new Error(`npm has no ${pkg} on the ${line} line`);
  }
  process.stdout.write(`${pkg}: none published from ${floor.version} on the ${line} line; using ${sameLine}\n`);
  return sameLine;
}

const targets = [
  ...ranges.map((range) => ({
    label: `oldest of ${range}`,
    versions: PACKAGES.map((pkg) => `${pkg}@${oldestOf(pkg, range)}`),
  })),
  { label: `newest (${latest})`, versions: PACKAGES.map((pkg) => `${pkg}@${latest}`) },
];

const results = [];
for (const target of targets) {
  for (const module of MODULES) {
    process.stdout.write(`\n=== ${module} against ${target.versions.join(', ')} (${target.label})\n`);
    const run = spawnSync(
      'npx',
      ['--yes', LEVITATE, 'is-compatible', '--path', module, '--target', target.versions.join(',')],
      {
        stdio: 'inherit',
        env: { ...process.env, FORCE_COLOR: '0' },
      }
    );
    results.push({ module, target: target.label, ok: run.status === 0 });
  }
}

process.stdout.write('\n=== summary\n');
for (const { module, target, ok } of results) {
  process.stdout.write(`${ok ? 'compatible    ' : 'INCOMPATIBLE  '} ${module} with ${target}\n`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
