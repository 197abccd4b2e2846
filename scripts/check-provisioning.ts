// Checks provisioning/ as Grafana and the runbooks need it (rules in scripts/provisioning/check/). Prints one line
// per problem and exits 1 on any. `npm run check:provisioning`.
import { parse } from 'yaml';

import { checkProvisioning } from './provisioning/check/checkProvisioning';
import { filesUnder, readRepoFile as read } from './repoFiles';

const yamlFiles = (dir: string, recursive: boolean) =>
  filesUnder(dir, /\.ya?ml$/, recursive).map((file) => ({ file, doc: parse(read(file)) }));

const problems: Array<{ file: string; message: string }> = [];
const dashboards = filesUnder('src/dashboards', /\.json$/).flatMap((file) => {
  try {
    return [{ file, json: JSON.parse(read(file)) as unknown }];
  } catch (err) {
    problems.push({ file, message: `not valid JSON: ${(err as Error).message}` });
    return [];
  }
});

// Grafana reads provisioning/alerting/ without descending into sub-folders.
const alertingFiles = yamlFiles('provisioning/alerting', false);
const prometheusRuleFiles = yamlFiles('provisioning/prometheus', true).filter(({ doc }) => Array.isArray(doc?.groups));
const ourPanels = filesUnder('src', /plugin\.json$/)
  .map((file) => JSON.parse(read(file)))
  .filter((plugin) => plugin.type === 'panel')
  .map((plugin) => plugin.id as string);

problems.push(
  ...checkProvisioning({
    runbooks: filesUnder('runbooks', /\.md$/).map((file) => ({
      path: file.slice('runbooks/'.length),
      source: read(file),
    })),
    dashboards,
    datasourceFiles: yamlFiles('provisioning/datasources', false),
    alertingFiles,
    prometheusRuleFiles,
    ourPanels,
  })
);

for (const { file, message } of problems) {
  console.log(`FAIL ${file}: ${message}`);
}
const rules = alertingFiles.reduce(
  (n, { doc }) => n + (doc?.groups ?? []).flatMap((g: any) => g.rules ?? []).length,
  0
);
console.log(
  `${dashboards.length} dashboards, ${rules} Grafana alert rules, ${prometheusRuleFiles.length} Prometheus rule files, ` +
    `panel types of ours: ${ourPanels.join(', ') || 'none'}: ${problems.length} problems`
);
process.exit(problems.length === 0 ? 0 : 1);
