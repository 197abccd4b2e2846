import CopyWebpackPlugin from 'copy-webpack-plugin';
import { createHash } from 'crypto';
import path from 'path';
import ReplaceInFileWebpackPlugin from 'replace-in-file-webpack-plugin';
import type { Compiler, Configuration } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { RUNBOOKS_DIR } from './scripts/runbookCatalog';

// The scaffold fills %VERSION% and %TODAY% in the fixed `dist/`. A build with `--output-path` (the runbook benchmark,
// the own-folder test) must fill the folder it wrote, and must not fail where `dist/` does not exist yet.
class ReplaceInOutputPath {
  apply(compiler: Compiler) {
    for (const plugin of compiler.options.plugins) {
      if (plugin instanceof ReplaceInFileWebpackPlugin) {
        plugin.options.forEach((option) => (option.dir = compiler.options.output.path));
      }
    }
  }
}

// The scaffold's configuration under .config/ stays untouched so `npx @grafana/create-plugin update` keeps working;
// project-specific build steps are merged in here.
const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  const config = merge(baseConfig, {
    cache: {
      type: 'filesystem',
      // One cache per runbook folder: a build from another folder (RUNBOOKS_DIR) must not reuse the catalog
      // compiled from this one, whose files did not change.
      name: `${env.production ? 'production' : 'development'}-${createHash('sha256').update(RUNBOOKS_DIR).digest('hex').slice(0, 12)}`,
      buildDependencies: {
        catalog: [__filename, path.resolve(__dirname, 'scripts', 'runbookCatalog.ts')],
      },
    },
    module: {
      rules: [
        {
          // The runbooks ship compiled into the bundle: files served from a signed plugin must be in its signature,
          // and compiling them fails the build on a runbook the catalog cannot read. The folder is RUNBOOKS_DIR,
          // this repository's runbooks/ unless set (docs/own-runbooks.md).
          test: /\.catalog$/,
          type: 'javascript/auto',
          use: path.resolve(__dirname, 'scripts', 'runbookCatalogLoader.ts'),
        },
      ],
    },
    plugins: [
      // The scaffold copies only the app's own logos; the nested panel's plugin.json points at its own img/logo.svg.
      new CopyWebpackPlugin({
        patterns: [{ from: 'panels/dlq-health/img', to: 'panels/dlq-health/img' }],
      }),
      new ReplaceInOutputPath(),
    ],
  });
  // Throwaway builds (the runbook benchmark, the own-folder test) leave no cache behind.
  if (process.env.WEBPACK_CACHE === 'off') {
    config.cache = false;
  }
  return config;
};

export default config;
