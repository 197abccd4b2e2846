// Validates plugin.json (the source and the built copy) against Grafana's plugin.json schema, and
// docker-compose.yaml against the Compose Specification. The schemas sit beside the checkout in ../shared/schemas/.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
const schemaDir = path.resolve(root, process.env.SCHEMA_DIR ?? '../shared/schemas');

const checks = [
  { schema: 'plugin.schema.json', file: 'plugin.json' },
  { schema: 'plugin.schema.json', file: 'dist/plugin.json' },
  { schema: 'plugin.schema.json', file: 'src/panels/dlq-health/plugin.json' },
  { schema: 'plugin.schema.json', file: 'dist/panels/dlq-health/plugin.json' },
  { schema: 'compose-spec.json', file: 'docker-compose.yaml' },
];

let failed = 0;
for (const { schema, file } of checks) {
  const schemaPath = path.join(schemaDir, schema);
  const filePath = path.join(root, file);
  if (!fs.existsSync(schemaPath)) {
    console.error(`FAIL ${file}: schema ${schemaPath} is absent, so it cannot be validated (set SCHEMA_DIR).`);
    failed++;
    continue;
  }
  if (!fs.existsSync(filePath)) {
    console.error(`FAIL ${file}: not found${file.startsWith('dist/') ? '; run `npm run build` first' : ''}.`);
    failed++;
    continue;
  }
  // The schemas use formats Ajv does not know, patterns written for non-unicode regular expressions, and (compose)
  // an https meta-schema URI Ajv does not recognise.
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    validateFormats: false,
    unicodeRegExp: false,
    validateSchema: false,
  });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
  const text = fs.readFileSync(filePath, 'utf8');
  const data = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  if (validate(data)) {
    console.log(`ok   ${file} matches ${schema}`);
  } else {
    failed++;
    for (const error of validate.errors ?? []) {
      console.error(`FAIL ${file}${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
