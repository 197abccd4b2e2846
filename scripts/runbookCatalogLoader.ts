import type { LoaderContext } from 'webpack';

import { catalogModuleFor, RUNBOOKS_DIR } from './runbookCatalog';

/** Webpack loader for the src/runbooks/*.catalog placeholders: replaces each with what it compiles to. */
export default function runbookCatalogLoader(this: LoaderContext<{}>): string {
  // Rebuild in watch mode whenever a runbook changes.
  this.addContextDependency(RUNBOOKS_DIR);
  return `export default ${JSON.stringify(catalogModuleFor(this.resourcePath))};`;
}
