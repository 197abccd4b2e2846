import type { Heading } from './markdown';
import type { RunbookFrontMatter } from './runbook';

export type CatalogHeading = Pick<Heading, 'depth' | 'text' | 'anchor'>;

/** What the index needs of a runbook; its body loads with its page, its headings with the first search. */
export interface CatalogRunbook extends RunbookFrontMatter {
  slug: string;
  /** The content file that holds its body: `Catalog.loadContent(group)`. */
  group: number;
}

export interface RunbookContent {
  /** Markdown without the front matter. */
  body: string;
  headings: CatalogHeading[];
}

/** One content file: the runbooks it holds, by slug. */
export type CatalogContent = Record<string, RunbookContent>;

/** Each runbook's headings below the title other than the template's sections, by slug. */
export type SearchHeadings = Record<string, string[]>;

export interface Catalog {
  runbooks: CatalogRunbook[];
  /** The runbook folder's README.md: ownership, escalation and quick links. */
  index: RunbookContent;
  /** Fetches one content file. */
  loadContent(group: number): Promise<CatalogContent>;
  /** Fetches the headings search reads, of every runbook. */
  loadSearch(): Promise<SearchHeadings>;
}

declare const catalog: Catalog;
export default catalog;
