import catalog, { type CatalogRunbook } from './runbooks.catalog';

export type { CatalogHeading, CatalogRunbook } from './runbooks.catalog';

/** Every runbook compiled into the app, ordered by slug. */
export const RUNBOOKS: readonly CatalogRunbook[] = catalog.runbooks;

/** runbooks/README.md: ownership, escalation and quick links. */
export const RUNBOOK_INDEX = catalog.index;

export function findRunbook(slug: string): CatalogRunbook | undefined {
  return RUNBOOKS.find((runbook) => runbook.slug === slug);
}
