import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// The scaffold's configuration under .config/ stays untouched so `npx @grafana/create-plugin update` keeps working;
// project-specific build steps are merged in here.
const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {});
};

export default config;
