// Jest transform for the src/runbooks/*.catalog placeholders: what the webpack loader compiles them to, by the same
// code, built when the test module loads (so a cached transform never serves an old runbook folder).
const path = require('path');

module.exports = {
  process(_source, filename) {
    const builder = JSON.stringify(path.resolve(__dirname, 'runbookCatalog.ts'));
    return {
      code: `module.exports = { __esModule: true, default: require(${builder}).catalogValueFor(${JSON.stringify(filename)}) };`,
    };
  },
};
