// Jest transform for src/runbooks/runbooks.catalog: the compiled catalog, built by the same code as the webpack loader.
const path = require('path');

module.exports = {
  process() {
    const builder = path.resolve(__dirname, 'runbookCatalog.ts');
    return {
      code: `module.exports = { __esModule: true, default: require(${JSON.stringify(builder)}).buildCatalog() };`,
    };
  },
};
