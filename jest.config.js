// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const baseConfig = require('./.config/jest.config');
const [, swcOptions] = baseConfig.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...baseConfig,
  moduleNameMapper: {
    ...baseConfig.moduleNameMapper,
    // jsdom makes jest pick yaml's ESM browser build; tests that read provisioning files want its CommonJS build.
    '^yaml$': require.resolve('yaml'),
  },
  // The checkers' rules for provisioning/ live beside their command in scripts/, as the runbook rules do in src/.
  testMatch: [...baseConfig.testMatch, '<rootDir>/scripts/**/*.test.ts'],
  resetMocks: true,
  // A bound on hangs, not on speed: real @grafana/ui components in jsdom make a test that pages or opens menus take
  // seconds, and more on a slower or busier machine than this one.
  testTimeout: 30_000,
  randomize: true,
  transform: {
    ...baseConfig.transform,
    // @grafana/data 13 pulls in d3-color's ESM-only `.mjs` files; compile them with the scaffold's own transform.
    '^.+\\.mjs$': ['@swc/jest', swcOptions],
    // The runbook catalogs are compiled from runbooks/ at build time; jest compiles them with the same code.
    '\\.catalog$': '<rootDir>/scripts/runbookCatalogJestTransform.js',
  },
};
