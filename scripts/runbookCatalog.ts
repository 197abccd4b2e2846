// Compiles runbooks/ into the catalog the app ships: one entry per runbook with its front matter, headings and body,
// plus the index (runbooks/README.md). Used by the webpack loader at build time and by jest, so both see the same.
import fs from 'fs';
import path from 'path';

import type { LinkIndex } from '../src/runbooks/links.catalog';
import type { Catalog } from '../src/runbooks/runbooks.catalog';
import { extractHeadings, splitFrontMatter } from '../src/runbooks/markdown';
import { parseRunbook, slugOf } from '../src/runbooks/runbook';

export const RUNBOOKS_DIR = path.resolve(__dirname, '..', 'runbooks');
const INDEX_FILE = 'README.md';

export function buildCatalog(dir = RUNBOOKS_DIR): Catalog {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => file.endsWith('.md') && file !== INDEX_FILE)
    .sort();
  const problems: string[] = [];
  const runbooks = files.flatMap((file) => {
    const parsed = parseRunbook(slugOf(file), fs.readFileSync(path.join(dir, file), 'utf8'));
    if (!parsed.frontMatter) {
      problems.push(...parsed.frontMatterProblems.map((problem) => `runbooks/${file}: ${problem.message}`));
      return [];
    }
    return [
      {
        slug: parsed.slug,
        ...parsed.frontMatter,
        headings: parsed.headings.map(({ depth, text, anchor }) => ({ depth, text, anchor })),
        body: parsed.body,
      },
    ];
  });
  if (problems.length > 0) {
    throw new Error(`runbooks cannot be compiled (npm run check:runbooks says more):\n${problems.join('\n')}`);
  }
  const { body } = splitFrontMatter(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8'));
  const headings = extractHeadings(body).map(({ depth, text, anchor }) => ({ depth, text, anchor }));
  return { runbooks, index: { body, headings } };
}

/**
 * The small part the extension links need at Grafana start: for each dashboard, the runbook to open beside it. When
 * several name the dashboard, the most specific wins (the one naming the fewest dashboards, then by slug).
 */
export function buildLinkIndex(catalog: Catalog = buildCatalog()): LinkIndex {
  const byDashboard: Record<string, string> = {};
  const bySpecificity = [...catalog.runbooks].sort(
    (a, b) => a.dashboards.length - b.dashboards.length || a.slug.localeCompare(b.slug)
  );
  for (const runbook of bySpecificity) {
    for (const uid of runbook.dashboards) {
      byDashboard[uid] ??= runbook.slug;
    }
  }
  return { byDashboard };
}

/** What a `*.catalog` placeholder module compiles to, by its file name. */
export function catalogModuleFor(resourcePath: string): unknown {
  const name = path.basename(resourcePath);
  switch (name) {
    case 'runbooks.catalog':
      return buildCatalog();
    case 'links.catalog':
      return buildLinkIndex();
    default:
      throw new Error(`no catalog is compiled for ${name}`);
  }
}
