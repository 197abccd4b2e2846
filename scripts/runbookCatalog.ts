// Compiles runbooks/ into the catalog the app ships: one entry per runbook with its front matter, headings and body,
// plus the index (runbooks/README.md). Used by the webpack loader at build time and by jest, so both see the same.
import fs from 'fs';
import path from 'path';

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
