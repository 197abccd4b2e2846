import type { CatalogRunbook, SearchHeadings } from './runbooks.catalog';

export interface RunbookFilter {
  query: string;
  tags: string[];
  owners: string[];
}

export interface SearchResult {
  runbook: CatalogRunbook;
  /** Why it matched, shown under the title: a heading or an alert name, when not the title itself. */
  matchedOn?: string;
}

/**
 * Every word of the query must appear in the title, a tag, an alert name, the owner or a heading (once `headings` has
 * loaded); results keep the catalog order, titles matches first. Tag and owner filters narrow the list.
 */
export function searchRunbooks(
  runbooks: readonly CatalogRunbook[],
  filter: RunbookFilter,
  headings: SearchHeadings = {}
): SearchResult[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  const results: Array<SearchResult & { rank: number }> = [];
  for (const runbook of runbooks) {
    if (filter.tags.length > 0 && !filter.tags.every((tag) => runbook.tags.includes(tag))) {
      continue;
    }
    if (filter.owners.length > 0 && !filter.owners.includes(runbook.owner)) {
      continue;
    }
    if (words.length === 0) {
      results.push({ runbook, rank: 0 });
      continue;
    }
    const fields: Array<[string, string]> = [
      ['title', runbook.title],
      ...runbook.tags.map((tag): [string, string] => ['tag', tag]),
      ...runbook.alerts.map((alert): [string, string] => ['alert', alert]),
      ['owner', runbook.owner],
      ...(headings[runbook.slug] ?? []).map((heading): [string, string] => ['heading', heading]),
    ];
    const everything = fields.map(([, text]) => text.toLowerCase()).join('\n');
    if (!words.every((word) => everything.includes(word))) {
      continue;
    }
    const isTitleMatch = words.every((word) => runbook.title.toLowerCase().includes(word));
    const best = fields.find(([, text]) => words.some((word) => text.toLowerCase().includes(word)));
    results.push({
      runbook,
      rank: isTitleMatch ? 0 : 1,
      matchedOn: isTitleMatch || !best ? undefined : `${best[0]}: ${best[1]}`,
    });
  }
  return results.sort((a, b) => a.rank - b.rank).map(({ runbook, matchedOn }) => ({ runbook, matchedOn }));
}

export function allTags(runbooks: readonly CatalogRunbook[]): string[] {
  return [...new Set(runbooks.flatMap((runbook) => runbook.tags))].sort();
}

export function allOwners(runbooks: readonly CatalogRunbook[]): string[] {
  return [...new Set(runbooks.map((runbook) => runbook.owner))].sort();
}
