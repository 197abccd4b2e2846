// Compiles the runbook folder into what the app ships, in parts so that each page loads only what it shows:
// - links.catalog, in module.js (loaded at Grafana start): dashboard uid → runbook, for the extension links;
// - runbooks.catalog, the index's chunk: each runbook's card (its front matter) and the folder's README;
// - runbooks/content-<hash>.json, data files of about GROUP_BYTES of Markdown each: bodies and tables of contents;
// - runbooks/search-<hash>.json: the headings search reads, in files of the same size.
// The data files are fetched from the plugin's public path, so module.js does not grow with their number as it would
// with one webpack chunk each (every chunk adds its name and integrity hash to the runtime in module.js); each is
// fetched with its sha256 integrity, as the chunks are. Used by the webpack loader and by jest, so both see the same.
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';

import type { LinkIndex } from '../src/runbooks/links.catalog';
import type { CatalogContent, CatalogRunbook, RunbookContent, SearchHeadings } from '../src/runbooks/runbooks.catalog';
import { extractHeadings, splitFrontMatter } from '../src/runbooks/markdown';
import { parseRunbook, slugOf, TEMPLATE_SECTIONS } from '../src/runbooks/runbook';

/** The runbook folder: `RUNBOOKS_DIR` from the environment (relative to the working directory), else this repository's. */
export const RUNBOOKS_DIR = process.env.RUNBOOKS_DIR
  ? path.resolve(process.env.RUNBOOKS_DIR)
  : path.resolve(__dirname, '..', 'runbooks');
const INDEX_FILE = 'README.md';
/**
 * Bytes per data file: what a runbook page downloads at most (unless its runbook alone is larger), under the 250 kB
 * scripts/bundle-size.mjs allows a chunk. 200 kB of Markdown is 40 to 70 kB gzipped.
 */
export const GROUP_BYTES = 200_000;

interface FullRunbook {
  card: Omit<CatalogRunbook, 'group'>;
  content: RunbookContent;
  /** Headings below the title other than the template's sections. */
  searchHeadings: string[];
}

interface FullCatalog {
  runbooks: FullRunbook[];
  index: RunbookContent;
  /** Slugs per content file, in catalog order. */
  groups: string[][];
  /** Slugs per search file, in catalog order. */
  searchGroups: string[][];
}

const TEMPLATE = new Set<string>(TEMPLATE_SECTIONS);

function runbookFiles(dir: string): string[] {
  if (!fs.existsSync(path.join(dir, INDEX_FILE))) {
    throw new Error(`${dir} is not a runbook folder: it has no ${INDEX_FILE} (set RUNBOOKS_DIR to one that has)`);
  }
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => file.endsWith('.md') && file !== INDEX_FILE)
    .sort();
}

function compile(dir: string): FullCatalog {
  const problems: string[] = [];
  const runbooks = runbookFiles(dir).flatMap((file): FullRunbook[] => {
    const parsed = parseRunbook(slugOf(file), fs.readFileSync(path.join(dir, file), 'utf8'));
    if (!parsed.frontMatter) {
      problems.push(...parsed.frontMatterProblems.map((problem) => `${path.join(dir, file)}: ${problem.message}`));
      return [];
    }
    const headings = parsed.headings.map(({ depth, text, anchor }) => ({ depth, text, anchor }));
    return [
      {
        card: { slug: parsed.slug, ...parsed.frontMatter },
        content: { body: parsed.body, headings },
        searchHeadings: headings.filter((h) => h.depth > 1 && !TEMPLATE.has(h.text)).map((h) => h.text),
      },
    ];
  });
  if (problems.length > 0) {
    throw new Error(`runbooks cannot be compiled (npm run check:runbooks says more):\n${problems.join('\n')}`);
  }
  const { body } = splitFrontMatter(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8'));
  const index = { body, headings: extractHeadings(body).map(({ depth, text, anchor }) => ({ depth, text, anchor })) };
  return {
    runbooks,
    index,
    groups: groupBySize(runbooks, ({ content }) => Buffer.byteLength(JSON.stringify(content))),
    searchGroups: groupBySize(runbooks, ({ searchHeadings }) => Buffer.byteLength(JSON.stringify(searchHeadings))),
  };
}

/** Consecutive runbooks (by slug) in groups of at most GROUP_BYTES; a larger runbook is a group alone. */
function groupBySize(runbooks: FullRunbook[], size: (runbook: FullRunbook) => number): string[][] {
  const groups: string[][] = [];
  let bytes = Infinity;
  for (const runbook of runbooks) {
    if (bytes + size(runbook) > GROUP_BYTES) {
      groups.push([]);
      bytes = 0;
    }
    groups[groups.length - 1].push(runbook.card.slug);
    bytes += size(runbook);
  }
  return groups;
}

// The webpack loader asks once per module; compile the folder once per state of its files.
let cached: { dir: string; fingerprint: string; catalog: FullCatalog } | undefined;

function fullCatalog(dir = RUNBOOKS_DIR): FullCatalog {
  const fingerprint = (fs.readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .map((file) => {
      const stat = fs.statSync(path.join(dir, file));
      return `${file}:${stat.size}:${stat.mtimeMs}`;
    })
    .join('\n');
  if (cached?.dir !== dir || cached.fingerprint !== fingerprint) {
    cached = { dir, fingerprint, catalog: compile(dir) };
  }
  return cached.catalog;
}

/** Every runbook's card, in slug order, with the content group that holds its body. */
export function buildCards(dir = RUNBOOKS_DIR): CatalogRunbook[] {
  const { runbooks, groups } = fullCatalog(dir);
  const groupOf = new Map(groups.flatMap((slugs, group) => slugs.map((slug) => [slug, group])));
  return runbooks.map(({ card }) => ({ ...card, group: groupOf.get(card.slug)! }));
}

/** The folder's README.md: ownership, escalation and quick links. */
export function buildIndex(dir = RUNBOOKS_DIR): RunbookContent {
  return fullCatalog(dir).index;
}

/** The bodies and tables of contents of one content file, by slug. */
export function buildContentGroup(group: number, dir = RUNBOOKS_DIR): CatalogContent {
  const { runbooks, groups } = fullCatalog(dir);
  if (!groups[group]) {
    throw new Error(`there is no runbook content group ${group}`);
  }
  const slugs = new Set(groups[group]);
  return Object.fromEntries(
    runbooks.filter(({ card }) => slugs.has(card.slug)).map(({ card, content }) => [card.slug, content])
  );
}

/** The search files: each runbook's headings below the title other than the template's sections, by slug. */
export function buildSearchGroups(dir = RUNBOOKS_DIR): SearchHeadings[] {
  const { runbooks, searchGroups } = fullCatalog(dir);
  const bySlug = new Map(runbooks.map((runbook) => [runbook.card.slug, runbook.searchHeadings]));
  return searchGroups.map((slugs) => Object.fromEntries(slugs.map((slug) => [slug, bySlug.get(slug)!])));
}

/**
 * The small part the extension links need at Grafana start: for each dashboard, the runbook to open beside it. When
 * several name the dashboard, the most specific wins (the one naming the fewest dashboards, then by slug).
 */
export function buildLinkIndex(cards: CatalogRunbook[] = buildCards()): LinkIndex {
  const byDashboard: Record<string, string> = {};
  const bySpecificity = [...cards].sort(
    (a, b) => a.dashboards.length - b.dashboards.length || a.slug.localeCompare(b.slug)
  );
  for (const runbook of bySpecificity) {
    for (const uid of runbook.dashboards) {
      byDashboard[uid] ??= runbook.slug;
    }
  }
  return { byDashboard };
}

export interface DataFile {
  /** Path under the plugin's public path. */
  file: string;
  /** Subresource integrity of its bytes. */
  integrity: string;
  source: string;
}

function dataFile(kind: string, value: unknown): DataFile {
  const source = JSON.stringify(value);
  const digest = createHash('sha256').update(source).digest();
  return {
    file: `runbooks/${kind}-${digest.toString('hex').slice(0, 16)}.json`,
    integrity: `sha256-${digest.toString('base64')}`,
    source,
  };
}

/** The data files the app fetches, and the cards module that names them. */
export function compileForWebpack(): { module: string; files: DataFile[] } {
  const content = Array.from({ length: fullCatalog().groups.length }, (_, group) =>
    dataFile('content', buildContentGroup(group))
  );
  const search = buildSearchGroups().map((group) => dataFile('search', group));
  const names = (files: DataFile[]) => JSON.stringify(files.map(({ file, integrity }) => ({ file, integrity })));
  const module = `// Compiled from the runbook folder by scripts/runbookCatalog.ts.
const runbooks = ${JSON.stringify(buildCards())};
const index = ${JSON.stringify(buildIndex())};
const contentFiles = ${names(content)};
const searchFiles = ${names(search)};

function load({ file, integrity }) {
  return fetch(__webpack_public_path__ + file, { integrity }).then((response) => {
    if (!response.ok) {
      throw new Error(\`\${file}: \${response.status} \${response.statusText}\`);
    }
    return response.json();
  });
}

export default {
  runbooks,
  index,
  loadContent: (group) => load(contentFiles[group]),
  loadSearch: () => Promise.all(searchFiles.map(load)).then((parts) => Object.assign({}, ...parts)),
};
`;
  return { module, files: [...content, ...search] };
}

/** What jest gets for a placeholder: the same values, with the data files read without a network. */
export function catalogValueFor(resourcePath: string): unknown {
  const name = path.basename(resourcePath);
  switch (name) {
    case 'links.catalog':
      return buildLinkIndex();
    case 'runbooks.catalog':
      return {
        runbooks: buildCards(),
        index: buildIndex(),
        loadContent: (group: number) => Promise.resolve().then(() => buildContentGroup(group)),
        loadSearch: () => Promise.resolve().then(() => Object.assign({}, ...buildSearchGroups())),
      };
    default:
      throw new Error(`no catalog is compiled for ${name}`);
  }
}
