import path from 'path';
import type { LoaderContext } from 'webpack';

import { buildLinkIndex, compileForWebpack, RUNBOOKS_DIR } from './runbookCatalog';

/**
 * Webpack loader for the src/runbooks/*.catalog placeholders: replaces each with what it compiles to, and emits the
 * runbooks' data files beside the bundle. A runbook the catalog cannot read fails the build here.
 */
export default function runbookCatalogLoader(this: LoaderContext<{}>): string {
  // Rebuild in watch mode whenever a runbook changes.
  this.addContextDependency(RUNBOOKS_DIR);
  const name = path.basename(this.resourcePath);
  switch (name) {
    case 'links.catalog':
      return `export default ${JSON.stringify(buildLinkIndex())};`;
    case 'runbooks.catalog': {
      const { module, files } = compileForWebpack();
      for (const { file, source } of files) {
        this.emitFile(file, source);
      }
      return module;
    }
    default:
      throw new Error(`no catalog is compiled for ${name}`);
  }
}
