import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// The scaffold's configuration under .config/ stays untouched so `npx @grafana/create-plugin update` keeps working;
// project-specific build steps are merged in here.
const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {
    module: {
      rules: [
        {
          // The runbooks ship compiled into the bundle: files served from a signed plugin must be in its signature,
          // and compiling them fails the build on a runbook the catalog cannot read.
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
    ],
  });
};

export default config;
