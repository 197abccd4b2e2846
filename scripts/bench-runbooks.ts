// Runbooks at scale: `npm run bench:runbooks -- --count 500`. For N = 8 (this repository's folder), 100 and the
// count, writes a runbook folder of N Markdown files to a temporary folder (the repository's plus N - 8 synthetic
// ones, scripts/bench/syntheticRunbooks.ts), checks and builds it, and prints the sizes and what an operator waits for
// in the harness's Chromium. Figures are medians over --samples fresh browser contexts. Nothing is written to the
// repository; it needs `npm run build:harness` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

import { Browser, chromium } from 'playwright-core';

import pluginJson from '../plugin.json';
import { testIds } from '../src/components/testIds';
import { startHarness } from '../tests/harness/server';
import { makeRunbookFolder } from './bench/syntheticRunbooks';

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INDEX_PATH = `/a/${pluginJson.id}/runbooks`;
/** The runbook every N opens: the same page, so the figures differ only by what the app loads around it. */
const OPENED = { slug: 'dlq-management', title: 'DLQ management' };
/** A character no runbook holds: search runs over every field of every runbook and the list empties. */
const KEYSTROKE = '§';
const REPOSITORY_FILES = 8;

interface Figures {
  n: number;
  checkMs: number;
  buildMs: number;
  budgetPassed: boolean;
  moduleGz: number;
  indexChunkGz: number;
  largestDataGz: number;
  totalGz: number;
  indexMs: number;
  keystrokeMs: number;
  openMs: number;
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>
): { ms: number; ok: boolean; output: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ms: performance.now() - started, ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const gzip = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The gzip sizes the issue asks for, from the build. */
function sizes(dist: string) {
  const files = (fs.readdirSync(dist, { recursive: true }) as string[]).filter(
    (file) => file.endsWith('.js') || (file.startsWith(`runbooks${path.sep}`) && file.endsWith('.json'))
  );
  // The index's chunk is the one that names the content files.
  const indexChunk = files.find(
    (file) => file.endsWith('.js') && fs.readFileSync(path.join(dist, file), 'utf8').includes('runbooks/content-')
  );
  if (!indexChunk) {
    throw new Error(`${dist}: no chunk names the runbook content files`);
  }
  const dataFiles = files.filter((file) => file.endsWith('.json'));
  return {
    moduleGz: gzip(path.join(dist, 'module.js')),
    indexChunkGz: gzip(path.join(dist, indexChunk)),
    largestDataGz: Math.max(...dataFiles.map((file) => gzip(path.join(dist, file)))),
    totalGz: files.reduce((total, file) => total + gzip(path.join(dist, file)), 0),
  };
}

async function timings(browser: Browser, dist: string, samples: number) {
  const harness = await startHarness({ jsonData: {}, secureJsonData: {} }, { pluginDist: dist });
  const results = { indexMs: [] as number[], keystrokeMs: [] as number[], openMs: [] as number[] };
  try {
    for (let sample = 0; sample < samples; sample++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const result = page.getByTestId(testIds.index.result);

      const headingsLoaded = page.waitForResponse((response) => /runbooks\/search-/.test(response.url()));
      let started = performance.now();
      await page.goto(`${harness.url}${INDEX_PATH}`);
      await result.first().waitFor();
      results.indexMs.push(performance.now() - started);

      // Search with the headings loaded, as after the first second on the page.
      await headingsLoaded;
      await page.getByTestId(testIds.index.search).focus();
      started = performance.now();
      await page.keyboard.type(KEYSTROKE);
      await page.getByTestId(testIds.index.empty).waitFor();
      results.keystrokeMs.push(performance.now() - started);

      await page.keyboard.press('Backspace');
      const card = result.filter({ hasText: OPENED.title }).getByRole('link');
      await card.scrollIntoViewIfNeeded();
      started = performance.now();
      await card.click();
      await page.getByTestId(testIds.runbook.markdown).waitFor();
      results.openMs.push(performance.now() - started);
      await context.close();
    }
  } finally {
    await harness.close();
  }
  return { indexMs: median(results.indexMs), keystrokeMs: median(results.keystrokeMs), openMs: median(results.openMs) };
}

async function measure(browser: Browser, n: number, samples: number, work: string): Promise<Figures> {
  const folder = path.join(work, `runbooks-${n}`);
  const dist = path.join(work, `dist-${n}`);
  makeRunbookFolder(folder, n - REPOSITORY_FILES);
  const env = { RUNBOOKS_DIR: folder, WEBPACK_CACHE: 'off' };

  const check = run('npx', ['ts-node', 'scripts/check-runbooks.ts'], env);
  if (!check.ok) {
    throw new Error(`the checker rejected the ${n} runbooks:\n${check.output}`);
  }
  const build = run('npx', ['webpack', '-c', './webpack.config.ts', '--env', 'production', '--output-path', dist], env);
  if (!build.ok) {
    throw new Error(`the build of ${n} runbooks failed:\n${build.output}`);
  }
  const budget = run('node', ['scripts/bundle-size.mjs', dist], {});
  if (!budget.ok) {
    console.log(budget.output);
  }
  return {
    n,
    checkMs: check.ms,
    buildMs: build.ms,
    budgetPassed: budget.ok,
    ...sizes(dist),
    ...(await timings(browser, dist, samples)),
  };
}

async function main() {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '500' }, samples: { type: 'string', default: '5' } },
  });
  const count = Number(values.count);
  const samples = Number(values.samples);
  if (!Number.isInteger(count) || count < REPOSITORY_FILES || !Number.isInteger(samples) || samples < 1) {
    throw new Error(`--count must be a whole number from ${REPOSITORY_FILES}, --samples from 1`);
  }
  if (!fs.existsSync(path.join(ROOT, 'tests', 'harness', '.build', 'host.js'))) {
    throw new Error('build the harness first: npm run build:harness');
  }
  const ns = [...new Set([REPOSITORY_FILES, Math.min(100, count), count])];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdesk-bench-runbooks-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const figures: Figures[] = [];
  try {
    for (const n of ns) {
      console.log(`N = ${n}: writing, checking, building and opening in Chromium...`);
      figures.push(await measure(browser, n, samples, work));
    }
  } finally {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const base = figures[0];
  const ratio = (value: number, of: number) => `${(value / of).toFixed(2)}x`;
  const rows: Array<[string, (f: Figures) => string]> = [
    ['checker', (f) => `${(f.checkMs / 1000).toFixed(1)} s`],
    ['build', (f) => `${(f.buildMs / 1000).toFixed(1)} s`],
    ['budget check (bundle-size)', (f) => (f.budgetPassed ? 'pass' : 'FAIL')],
    ['module.js, gzip', (f) => kb(f.moduleGz)],
    ['index chunk, gzip', (f) => kb(f.indexChunkGz)],
    ['largest runbook file, gzip', (f) => kb(f.largestDataGz)],
    ['total, gzip', (f) => kb(f.totalGz)],
    ['navigation to index rendered', (f) => `${f.indexMs.toFixed(0)} ms (${ratio(f.indexMs, base.indexMs)})`],
    ['keystroke to results', (f) => `${f.keystrokeMs.toFixed(0)} ms (${ratio(f.keystrokeMs, base.keystrokeMs)})`],
    ['click to runbook rendered', (f) => `${f.openMs.toFixed(0)} ms (${ratio(f.openMs, base.openMs)})`],
  ];
  console.log(`\n| ${['N', ...figures.map((f) => String(f.n))].join(' | ')} |`);
  console.log(`| ${['---', ...figures.map(() => '---:')].join(' | ')} |`);
  for (const [label, value] of rows) {
    console.log(`| ${[label, ...figures.map(value)].join(' | ')} |`);
  }

  const last = figures[figures.length - 1];
  const goals: Array<[string, boolean]> = [
    [`index chunk under 100 kB gzip at N = ${last.n}`, last.indexChunkGz < 100_000],
    [`every chunk and data file within the budgets at N = ${last.n}`, last.budgetPassed],
    [`opening a runbook within 1.5x of N = ${base.n}`, last.openMs <= 1.5 * base.openMs],
  ];
  console.log();
  for (const [goal, met] of goals) {
    console.log(`${met ? 'met    ' : 'MISSED '} ${goal}`);
  }
  console.log(`(medians of ${samples} fresh browser contexts each; ratios are within this run)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
