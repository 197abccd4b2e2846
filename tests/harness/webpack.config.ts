// Builds the harness host page (tests/harness/host) into tests/harness/.build. Not shipped: the plugin's own build
// stays the scaffold's; this only bundles the real @grafana packages for the browser tests.
import path from 'path';
import type { Configuration } from 'webpack';

const config: Configuration = {
  // Production React, as in Grafana: errors an error boundary catches are not rethrown as uncaught.
  mode: 'production',
  optimization: { minimize: false },
  devtool: false,
  context: __dirname,
  entry: { host: './host/index.tsx' },
  output: {
    path: path.resolve(__dirname, '.build'),
    publicPath: '/harness/',
    filename: '[name].js',
    chunkFilename: '[name].[contenthash].js',
    clean: true,
  },
  resolve: { extensions: ['.tsx', '.ts', '.mjs', '.js'] },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2020' } },
        },
      },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(svg|png|woff2?|ttf|eot)$/, type: 'asset/resource' },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
  performance: { hints: false },
  cache: { type: 'filesystem', buildDependencies: { config: [__filename] } },
};

export default config;
