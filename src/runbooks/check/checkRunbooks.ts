import { parseRunbook, slugOf } from '../runbook';
import { checkAlertCoverage } from './alertCoverage';
import { checkCommands } from './commands';
import { checkEventBusCalls } from './eventBusCalls';
import { checkFrontMatter } from './frontMatter';
import { checkLinks } from './links';
import { checkMetrics } from './metrics';
import { checkSecretsAndHosts } from './secrets';
import { checkAlertBlocks, checkSections } from './sections';
import { CheckInput, Finding, INDEX, RUNBOOKS_DIR } from './types';

// Validates runbooks like code, one module per rule. Pure: the caller reads the files (scripts/check-runbooks.ts)
// or builds them in memory (the tests), so every rule can be shown failing on a broken runbook.

export function checkRunbooks(input: CheckInput): Finding[] {
  const runbooks = input.files
    .filter((file) => file.path !== INDEX)
    .map((file) => ({ file, parsed: parseRunbook(slugOf(file.path.slice(RUNBOOKS_DIR.length + 1)), file.source) }));
  const anchorsByPath = new Map(
    input.files.map((file) => [file.path, new Set(parseRunbook('', file.source).headings.map((h) => h.anchor))])
  );
  const slugs = new Set(runbooks.map(({ parsed }) => parsed.slug));

  const findings: Finding[] = [];
  for (const { file, parsed } of runbooks) {
    findings.push(...checkFrontMatter(file, parsed, input));
    findings.push(...checkSections(file, parsed));
    findings.push(...checkAlertBlocks(file, parsed));
  }
  for (const file of input.files) {
    const { body, bodyLine } = parseRunbook('', file.source);
    findings.push(...checkLinks(file, body, bodyLine, anchorsByPath, slugs, input.dashboards));
    findings.push(...checkEventBusCalls(file, body, bodyLine, input.eventBusApi));
    findings.push(...checkCommands(file, body, bodyLine));
    findings.push(...checkMetrics(file, body, bodyLine, input.metrics));
    findings.push(...checkSecretsAndHosts(file));
  }
  findings.push(...checkAlertCoverage(runbooks, slugs, input.alertRules));
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
