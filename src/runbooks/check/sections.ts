import { ParsedRunbook, TEMPLATE_SECTIONS } from '../runbook';
import { Finding, SourceFile } from './types';

// Rule `sections`: every runbook has the template's sections, once each, in order, and no others at level 2.

export function checkSections(file: SourceFile, parsed: ParsedRunbook): Finding[] {
  const sections = parsed.headings.filter((heading) => heading.depth === 2);
  const findings: Finding[] = [];
  for (const section of sections.filter((s) => !(TEMPLATE_SECTIONS as readonly string[]).includes(s.text))) {
    findings.push({
      file: file.path,
      line: section.line,
      severity: 'error',
      rule: 'sections',
      message: `"## ${section.text}" is not a template section`,
      fix: `make it a ### inside one of the sections ${TEMPLATE_SECTIONS.join(', ')}`,
    });
  }
  const present = sections.map((s) => s.text).filter((text) => (TEMPLATE_SECTIONS as readonly string[]).includes(text));
  for (const missing of TEMPLATE_SECTIONS.filter((name) => !present.includes(name))) {
    const next = TEMPLATE_SECTIONS.slice(TEMPLATE_SECTIONS.indexOf(missing) + 1).find((name) => present.includes(name));
    findings.push({
      file: file.path,
      line: sections.find((s) => s.text === next)?.line ?? parsed.bodyLine,
      severity: 'error',
      rule: 'sections',
      message: `section "## ${missing}" is missing`,
      fix: next ? `add "## ${missing}" before "## ${next}"` : `add "## ${missing}" at the end`,
    });
  }
  const expectedOrder = TEMPLATE_SECTIONS.filter((name) => present.includes(name));
  const firstOutOfOrder = present.findIndex((text, index) => text !== expectedOrder[index]);
  if (firstOutOfOrder >= 0 && new Set(present).size === present.length) {
    const section = sections.find((s) => s.text === present[firstOutOfOrder]);
    findings.push({
      file: file.path,
      line: section?.line ?? parsed.bodyLine,
      severity: 'error',
      rule: 'sections',
      message: `sections are out of order: ${present.join(', ')}`,
      fix: `order them ${TEMPLATE_SECTIONS.join(', ')}`,
    });
  }
  for (const [index, text] of present.entries()) {
    if (present.indexOf(text) !== index) {
      findings.push({
        file: file.path,
        line: sections.filter((s) => s.text === text)[1].line,
        severity: 'error',
        rule: 'sections',
        message: `section "## ${text}" appears twice`,
        fix: 'merge the two sections into one',
      });
    }
  }
  return findings;
}

/**
 * Rule `alerts`, per runbook: each alert it answers has a block under "## When to Use" headed by the alert's name
 * (what it means, its impact, where to start), which the page links to when the alert opened it.
 */
export function checkAlertBlocks(file: SourceFile, parsed: ParsedRunbook): Finding[] {
  const alerts = parsed.frontMatter?.alerts ?? [];
  const sections = parsed.headings.filter((heading) => heading.depth === 2);
  const whenToUse = sections.find((section) => section.text === 'When to Use');
  if (alerts.length === 0 || !whenToUse) {
    return [];
  }
  const end = sections.find((section) => section.line > whenToUse.line)?.line ?? Infinity;
  const blocks = new Set(
    parsed.headings
      .filter((heading) => heading.depth === 3 && heading.line > whenToUse.line && heading.line < end)
      .map((heading) => heading.text)
  );
  return alerts
    .filter((alert) => !blocks.has(alert))
    .map((alert) => ({
      file: file.path,
      line: whenToUse.line,
      severity: 'error',
      rule: 'alerts',
      message: `alert ${alert} has no block of its own under "## When to Use"`,
      fix: `add "### ${alert}" there: what it means, its impact, and the step to start at`,
    }));
}
