import type { Heading } from './markdown';
import type { RunbookFrontMatter } from './runbook';

export type CatalogHeading = Pick<Heading, 'depth' | 'text' | 'anchor'>;

export interface CatalogRunbook extends RunbookFrontMatter {
  slug: string;
  headings: CatalogHeading[];
  /** Markdown without the front matter. */
  body: string;
}

export interface Catalog {
  runbooks: CatalogRunbook[];
  /** runbooks/README.md: ownership, escalation and quick links. */
  index: { body: string; headings: CatalogHeading[] };
}

declare const catalog: Catalog;
export default catalog;
