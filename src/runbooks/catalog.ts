import catalog, {
  type CatalogContent,
  type CatalogRunbook,
  type RunbookContent,
  type SearchHeadings,
} from './runbooks.catalog';

export type { CatalogHeading, CatalogRunbook, RunbookContent, SearchHeadings } from './runbooks.catalog';

/** Every runbook's card, ordered by slug. Bodies load with their page: loadRunbookContent. */
export const RUNBOOKS: readonly CatalogRunbook[] = catalog.runbooks;

/** The runbook folder's README.md: ownership, escalation and quick links. */
export const RUNBOOK_INDEX = catalog.index;

export function findRunbook(slug: string): CatalogRunbook | undefined {
  return RUNBOOKS.find((runbook) => runbook.slug === slug);
}

const contentFiles = new Map<number, Promise<CatalogContent>>();
let searchHeadings: Promise<SearchHeadings> | undefined;

/** Each file is fetched once; a failed fetch is forgotten, so the next call tries again. */
function once<T>(load: () => Promise<T>, remember: (pending: Promise<T> | undefined) => void): Promise<T> {
  const pending = load();
  remember(pending);
  pending.catch(() => remember(undefined));
  return pending;
}

/** The body and table of contents of a runbook, from the content file that holds it. */
export async function loadRunbookContent(runbook: CatalogRunbook): Promise<RunbookContent> {
  const file =
    contentFiles.get(runbook.group) ??
    once(
      () => catalog.loadContent(runbook.group),
      (pending) => (pending ? contentFiles.set(runbook.group, pending) : contentFiles.delete(runbook.group))
    );
  const content = (await file)[runbook.slug];
  if (!content) {
    throw new Error(`the app was built without the content of ${runbook.slug}`);
  }
  return content;
}

/** The headings search reads, of every runbook. */
export function loadSearchHeadings(): Promise<SearchHeadings> {
  return searchHeadings ?? once(catalog.loadSearch, (pending) => (searchHeadings = pending));
}
