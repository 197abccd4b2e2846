import fs from 'fs';
import path from 'path';
import type { LoaderContext } from 'webpack';

import { buildLinkIndex, compileForWebpack, RUNBOOKS_DIR } from './runbookCatalog';

/**
 * The source map of a compiled placeholder. Grafana's plugin validator compares every source in `module.js.map` with
 * the repository file of the same path under src/ and rejects the plugin on any difference (analyzer jsMap, rule
 * js-map-no-match: grafana/plugin-validator, pkg/analysis/passes/jssourcemap/jssourcemap.go and
 * pkg/difftool/difftool.go). Without a map from the loader, webpack records the compiled code as the placeholder's
 * content; this map names the placeholder with its bytes as they are in the repository instead. Every line of the
 * compiled code maps to the placeholder's first line: the code comes from the runbook folder, not from any line of it.
 */
function placeholderMap(resourcePath: string, code: string) {
  return {
    version: 3,
    file: path.basename(resourcePath),
    sources: [resourcePath],
    // Read from disk rather than the loader's `source`, which loader-runner has already stripped of a byte order mark.
    sourcesContent: [fs.readFileSync(resourcePath, 'utf8')],
    names: [],
    // One segment per line: generated column 0 to source 0, line 0, column 0 ("AAAA"; the next line's deltas are 0).
    mappings: code
      .split('\n')
      .map(() => 'AAAA')
      .join(';'),
  };
}

/**
 * Webpack loader for the src/runbooks/*.catalog placeholders: replaces each with what it compiles to, and emits the
 * runbooks' data files beside the bundle. A runbook the catalog cannot read fails the build here.
 */
export default function runbookCatalogLoader(this: LoaderContext<{}>): void {
  // Rebuild in watch mode whenever a runbook changes.
  this.addContextDependency(RUNBOOKS_DIR);
  const name = path.basename(this.resourcePath);
  let code: string;
  switch (name) {
    case 'links.catalog':
      code = `export default ${JSON.stringify(buildLinkIndex())};`;
      break;
    case 'runbooks.catalog': {
      const { module, files } = compileForWebpack();
      for (const { file, source } of files) {
        this.emitFile(file, source);
      }
      code = module;
      break;
    }
    default:
      throw new Error(`no catalog is compiled for ${name}`);
  }
  // `sourceMap` is set when the configuration's devtool asks for maps (production: 'source-map' in
  // .config/webpack/webpack.config.ts).
  this.callback(null, code, this.sourceMap ? placeholderMap(this.resourcePath, code) : undefined);
}
