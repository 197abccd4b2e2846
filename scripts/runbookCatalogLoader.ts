import type { LoaderContext } from 'webpack';

import { buildCatalog, RUNBOOKS_DIR } from './runbookCatalog';

/** Webpack loader for src/runbooks/runbooks.catalog: replaces the placeholder with the compiled catalog. */
export default function runbookCatalogLoader(this: LoaderContext<{}>): string {
  // Rebuild in watch mode whenever a runbook changes.
  this.addContextDependency(RUNBOOKS_DIR);
  return `export default ${JSON.stringify(buildCatalog())};`;
}
