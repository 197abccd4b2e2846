// Prints the size of every JavaScript asset in dist/ and of the runbook data files (dist/runbooks/*.json), raw and
// gzipped, and fails past the budgets. module.js is what Grafana loads at start for every user, whether or not they
// open the app, so it is listed first and kept small; the rest load on demand, each under the size past which
// Grafana's own tooling warns.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = path.resolve(process.argv[2] ?? 'dist');
if (!fs.existsSync(path.join(dist, 'module.js'))) {
  console.error(`bundle-size: ${dist}/module.js not found; run \`npm run build\` first.`);
  process.exit(1);
}

const files = fs
  .readdirSync(dist, { recursive: true })
  .map((file) => file.split(path.sep).join('/'))
  .filter((file) => file.endsWith('.js') || (file.startsWith('runbooks/') && file.endsWith('.json')))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

function rank(file) {
  return file === 'module.js' ? 0 : file.endsWith('module.js') ? 1 : 2;
}

const MODULE_BUDGET = 12 * 1024;
const CHUNK_BUDGET = 250 * 1000;

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
console.log(`${'asset'.padEnd(40)} ${'raw'.padStart(12)} ${'gzip'.padStart(12)}`);
const overBudget = [];
for (const file of files) {
  const content = fs.readFileSync(path.join(dist, file));
  const gzipped = zlib.gzipSync(content, { level: 9 }).length;
  console.log(`${file.padEnd(40)} ${kib(content.length).padStart(12)} ${kib(gzipped).padStart(12)}`);
  const budget = file === 'module.js' ? MODULE_BUDGET : CHUNK_BUDGET;
  if (content.length > budget) {
    overBudget.push(`${file} is ${kib(content.length)}, over its budget of ${kib(budget)}`);
  }
}
for (const line of overBudget) {
  console.error(`bundle-size: ${line}`);
}
process.exit(overBudget.length === 0 ? 0 : 1);
