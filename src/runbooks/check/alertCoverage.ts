import type { ParsedRunbook } from '../runbook';
import { AlertRule, APP_RUNBOOK_PATH, Finding, lineOfKey, SourceFile } from './types';

// Rule `alerts`: each alert is answered by exactly one runbook, every alert a runbook lists is provisioned, and every
// provisioned rule's runbook_url opens the runbook that lists it.

export function checkAlertCoverage(
  runbooks: Array<{ file: SourceFile; parsed: ParsedRunbook }>,
  slugs: Set<string>,
  alertRules: AlertRule[] | undefined
): Finding[] {
  const findings: Finding[] = [];
  const answeredBy = new Map<string, string[]>();
  for (const { parsed } of runbooks) {
    for (const alert of parsed.frontMatter?.alerts ?? []) {
      answeredBy.set(alert, [...(answeredBy.get(alert) ?? []), parsed.slug]);
    }
  }
  for (const [alert, answering] of answeredBy) {
    if (answering.length > 1) {
      const { file, parsed } = runbooks.find((r) => r.parsed.slug === answering[1])!;
      findings.push({
        file: file.path,
        line: lineOfKey(parsed, 'alerts'),
        severity: 'error',
        rule: 'alerts',
        message: `alert ${alert} is answered by ${answering.join(' and ')}`,
        fix: 'let exactly one runbook list it; link to the other from its Related section',
      });
    }
  }
  if (!alertRules) {
    return findings;
  }
  const ruleNames = new Set(alertRules.map((rule) => rule.name));
  for (const { file, parsed } of runbooks) {
    for (const alert of (parsed.frontMatter?.alerts ?? []).filter((name) => !ruleNames.has(name))) {
      findings.push({
        file: file.path,
        line: lineOfKey(parsed, 'alerts'),
        severity: 'error',
        rule: 'alerts',
        message: `front matter lists alert ${alert}, but no provisioned alert rule has that name`,
        fix: 'correct the name, or add the rule under provisioning/alerting/ and provisioning/prometheus/',
      });
    }
  }
  for (const rule of alertRules) {
    const slug = rule.runbookUrl?.split(APP_RUNBOOK_PATH)[1]?.split(/[?#]/)[0];
    if (!rule.runbookUrl || !slug) {
      findings.push({
        file: rule.file,
        line: rule.line,
        severity: 'error',
        rule: 'alerts',
        message: `alert rule ${rule.name} has no runbook_url to a runbook`,
        fix: `add annotations.runbook_url: ${APP_RUNBOOK_PATH}<slug>?alertname=...`,
      });
    } else if (!slugs.has(slug)) {
      findings.push({
        file: rule.file,
        line: rule.line,
        severity: 'error',
        rule: 'alerts',
        message: `alert rule ${rule.name} links to runbook "${slug}", which does not exist`,
        fix: `use one of ${[...slugs].sort().join(', ')}`,
      });
    } else if (!(answeredBy.get(rule.name) ?? []).includes(slug)) {
      findings.push({
        file: rule.file,
        line: rule.line,
        severity: 'error',
        rule: 'alerts',
        message: `alert rule ${rule.name} links to ${slug}, whose front matter does not list it under alerts`,
        fix: `add ${rule.name} to the alerts of runbooks/${slug}.md, or link the rule to the runbook that lists it`,
      });
    }
  }
  return findings;
}
