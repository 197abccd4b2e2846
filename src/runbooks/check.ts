import { CodeBlock, extractCodeBlocks, extractCodeSpans, extractLinks } from './markdown';
import { resolveRelativePath } from './paths';
import { parseRunbook, ParsedRunbook, reviewDueDate, slugOf, TEMPLATE_SECTIONS } from './runbook';

// Validates runbooks like code. Pure: the caller reads the files (scripts/check-runbooks.ts) or builds them in
// memory (the tests), so every rule can be shown failing on a broken runbook.

export type Rule =
  | 'front-matter'
  | 'sections'
  | 'links'
  | 'dashboards'
  | 'alerts'
  | 'event-bus-api'
  | 'metrics'
  | 'secrets'
  | 'hostnames'
  | 'stale';

export interface Finding {
  /** Path from the repository root. */
  file: string;
  line: number;
  severity: 'error' | 'warning';
  rule: Rule;
  message: string;
  fix: string;
}

export interface SourceFile {
  /** Path from the repository root, for example `runbooks/dlq-management.md`. */
  path: string;
  source: string;
}

export interface AlertRule {
  name: string;
  runbookUrl?: string;
  file: string;
  line: number;
}

export interface CheckInput {
  /** Every markdown file under `runbooks/`; `runbooks/README.md` is the index and has no template. */
  files: SourceFile[];
  /** Uids of the provisioned dashboards; `undefined` until the project provisions any. */
  dashboards?: Set<string>;
  /** Provisioned alert rules (Grafana-managed and Prometheus); `undefined` until the project provisions any. */
  alertRules?: AlertRule[];
  /** Method and path template of each operation in `event-bus/openapi.yaml`; `undefined` when it is absent. */
  eventBusApi?: Array<{ method: string; path: string }>;
  /**
   * Metric names something in the stack exports; name prefixes of exporters' default metrics (any name with one is
   * accepted); and the namespaces of this repository's own exporters, in which any name mentioned in code must be
   * exported (others, such as `pg_`, also prefix SQL functions and CLI tools).
   */
  metrics?: { names: Set<string>; prefixes: string[]; namespaces: string[] };
  today: Date;
}

export const RUNBOOKS_DIR = 'runbooks';
const INDEX = `${RUNBOOKS_DIR}/README.md`;
const APP_RUNBOOK_PATH = '/a/opsdesk-runbooks-app/runbooks/';

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
  }
  for (const file of input.files) {
    const { body, bodyLine } = parseRunbook('', file.source);
    findings.push(...checkLinks(file, body, bodyLine, anchorsByPath, slugs, input.dashboards));
    findings.push(...checkEventBusCalls(file, body, bodyLine, input.eventBusApi));
    findings.push(...checkMetrics(file, body, bodyLine, input.metrics));
    findings.push(...checkSecretsAndHosts(file));
  }
  findings.push(...checkAlertCoverage(runbooks, slugs, input.alertRules));
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function lineOfKey(parsed: ParsedRunbook, key: string): number {
  const index = (parsed.frontMatterText ?? '').split('\n').findIndex((line) => line.startsWith(`${key}:`));
  // Line 1 is the opening `---`.
  return index < 0 ? 1 : index + 2;
}

function checkFrontMatter(file: SourceFile, parsed: ParsedRunbook, input: CheckInput): Finding[] {
  const findings: Finding[] = parsed.frontMatterProblems.map((problem) => ({
    file: file.path,
    line: lineOfKey(parsed, problem.key),
    severity: 'error',
    rule: 'front-matter',
    message: `front matter: ${problem.message}`,
    fix:
      'start the file with --- and the keys title, owner, escalation, last_reviewed (YYYY-MM-DD), ' +
      'review_every (days), alerts [..], dashboards [..], tags [..], then ---',
  }));
  const frontMatter = parsed.frontMatter;
  if (!frontMatter) {
    return findings;
  }
  const title = parsed.headings.find((heading) => heading.depth === 1);
  if (!title || title.text !== frontMatter.title) {
    findings.push({
      file: file.path,
      line: title?.line ?? parsed.bodyLine,
      severity: 'error',
      rule: 'front-matter',
      message: title ? `the H1 "${title.text}" differs from the title "${frontMatter.title}"` : 'has no H1 title',
      fix: `make the first heading "# ${frontMatter.title}"`,
    });
  }
  if (input.dashboards) {
    for (const uid of frontMatter.dashboards.filter((uid) => !input.dashboards?.has(uid))) {
      findings.push({
        file: file.path,
        line: lineOfKey(parsed, 'dashboards'),
        severity: 'error',
        rule: 'dashboards',
        message: `front matter names dashboard uid "${uid}", which no provisioned dashboard has`,
        fix: `use one of ${[...input.dashboards].sort().join(', ')}, or provision a dashboard with uid "${uid}"`,
      });
    }
  }
  const due = reviewDueDate(frontMatter);
  if (due.getTime() <= input.today.getTime()) {
    findings.push({
      file: file.path,
      line: lineOfKey(parsed, 'last_reviewed'),
      severity: 'warning',
      rule: 'stale',
      message: `review was due on ${due.toISOString().slice(0, 10)} (last_reviewed ${frontMatter.lastReviewed} + ${frontMatter.reviewEvery} days)`,
      fix: 'walk through the procedure against the current platform, correct it, then set last_reviewed to today',
    });
  }
  return findings;
}

function checkSections(file: SourceFile, parsed: ParsedRunbook): Finding[] {
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

function checkLinks(
  file: SourceFile,
  body: string,
  bodyLine: number,
  anchorsByPath: Map<string, Set<string>>,
  slugs: Set<string>,
  dashboards: Set<string> | undefined
): Finding[] {
  const findings: Finding[] = [];
  const fail = (line: number, message: string, fix: string) =>
    findings.push({ file: file.path, line, severity: 'error', rule: 'links', message, fix });

  for (const link of extractLinks(body, bodyLine)) {
    const { target, line } = link;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      if (!/^(https?|mailto):/i.test(target)) {
        fail(line, `link to "${target}" uses a scheme other than http(s) or mailto`, 'link to a page or a runbook');
      }
      continue;
    }
    if (target.startsWith('/d/')) {
      const uid = target.slice(3).split(/[/?#]/)[0];
      if (dashboards && !dashboards.has(uid)) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'dashboards',
          message: `link to dashboard uid "${uid}", which no provisioned dashboard has`,
          fix: `use one of ${[...dashboards].sort().join(', ')}`,
        });
      }
      continue;
    }
    if (target.startsWith(APP_RUNBOOK_PATH)) {
      const slug = target.slice(APP_RUNBOOK_PATH.length).split(/[?#]/)[0];
      if (!slugs.has(slug)) {
        fail(line, `link to runbook "${slug}", which does not exist`, `use one of ${[...slugs].sort().join(', ')}`);
      }
      continue;
    }
    if (target.startsWith('/')) {
      continue;
    }
    const [pathPart, anchor] = splitAnchor(target);
    const resolved = pathPart === '' ? file.path : resolveRelativePath(file.path, pathPart);
    if (!resolved.startsWith(`${RUNBOOKS_DIR}/`) || !resolved.endsWith('.md')) {
      fail(
        line,
        `link to "${target}" leaves the runbooks, which ship inside the app without the rest of the repository`,
        'link to a runbook (.md under runbooks/), a dashboard (/d/<uid>) or an absolute https:// URL'
      );
      continue;
    }
    const anchors = anchorsByPath.get(resolved);
    if (!anchors) {
      fail(line, `link to "${target}": ${resolved} does not exist`, 'correct the path, relative to this file');
      continue;
    }
    if (anchor !== undefined && !anchors.has(anchor)) {
      const close = [...anchors].filter((candidate) => candidate.includes(anchor.split('-')[0])).slice(0, 3);
      fail(
        line,
        `link to "${target}": ${resolved} has no heading with anchor #${anchor}`,
        close.length > 0 ? `did you mean ${close.map((a) => `#${a}`).join(' or ')}?` : 'link to an existing heading'
      );
    }
  }
  return findings;
}

function splitAnchor(target: string): [string, string | undefined] {
  const index = target.indexOf('#');
  return index < 0 ? [target, undefined] : [target.slice(0, index), decodeURIComponent(target.slice(index + 1))];
}

interface EventBusCall {
  method: string;
  path: string;
  line: number;
}

/** `curl` commands (continued lines joined) and `METHOD /api/events/...` code spans. */
function eventBusCalls(blocks: CodeBlock[], spans: Array<{ code: string; line: number }>): EventBusCall[] {
  const calls: EventBusCall[] = [];
  for (const block of blocks) {
    const commandLines = block.content.split('\n');
    for (let i = 0; i < commandLines.length; i++) {
      const start = i;
      let command = commandLines[i];
      while (/\\\s*$/.test(command) && i + 1 < commandLines.length) {
        i++;
        command = command.replace(/\\\s*$/, ' ') + commandLines[i];
      }
      if (!/\bcurl\b/.test(command)) {
        continue;
      }
      for (const match of command.matchAll(/\/api\/events(\/[^\s"'?)]*)?/g)) {
        const explicit = /(?:-X|--request)\s+['"]?([A-Z]+)/.exec(command)?.[1];
        const hasBody = /\s(-d|--data(-raw|-binary)?|--json)\b/.test(command);
        calls.push({ method: explicit ?? (hasBody ? 'POST' : 'GET'), path: match[0], line: block.line + 1 + start });
      }
    }
  }
  for (const span of spans) {
    const match = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/api\/events\/[^\s?]*)/.exec(span.code);
    if (match) {
      calls.push({ method: match[1], path: match[2], line: span.line });
    }
  }
  return calls;
}

function matchesTemplate(path: string, template: string): boolean {
  const actual = path.replace(/\/$/, '').split('/');
  const expected = template.split('/');
  return (
    actual.length === expected.length &&
    expected.every((segment, i) => segment === actual[i] || (/^\{.+\}$/.test(segment) && actual[i] !== ''))
  );
}

function checkEventBusCalls(
  file: SourceFile,
  body: string,
  bodyLine: number,
  api: CheckInput['eventBusApi']
): Finding[] {
  if (!api) {
    return [];
  }
  const calls = eventBusCalls(extractCodeBlocks(body, bodyLine), extractCodeSpans(body, bodyLine));
  return calls
    .filter((call) => !api.some((op) => op.method === call.method && matchesTemplate(call.path, op.path)))
    .map((call) => {
      const samePath = api.filter((op) => matchesTemplate(call.path, op.path)).map((op) => op.method);
      return {
        file: file.path,
        line: call.line,
        severity: 'error' as const,
        rule: 'event-bus-api' as const,
        message:
          samePath.length > 0
            ? `${call.method} ${call.path}: event-bus/openapi.yaml allows only ${samePath.join(', ')} on this path`
            : `${call.method} ${call.path} is not an operation of event-bus/openapi.yaml`,
        fix: `use one of: ${api.map((op) => `${op.method} ${op.path}`).join(', ')}`,
      };
    });
}

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
]);

/**
 * A metric is named in a `promql` block (any identifier followed by `{` or `[`), or anywhere in code within the
 * namespace of this repository's own exporters; both must be exported by something in the stack.
 */
function checkMetrics(file: SourceFile, body: string, bodyLine: number, metrics: CheckInput['metrics']): Finding[] {
  if (!metrics) {
    return [];
  }
  const isExported = (name: string) =>
    metrics.names.has(name) ||
    metrics.names.has(name.replace(/_(bucket|sum|count)$/, '')) ||
    metrics.prefixes.some((prefix) => name.startsWith(prefix));

  const mentions: Array<{ name: string; line: number }> = [];
  for (const block of extractCodeBlocks(body, bodyLine)) {
    block.content.split('\n').forEach((text, index) => {
      const line = block.line + 1 + index;
      if (block.info.split(/\s/)[0] === 'promql') {
        for (const match of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) {
          if (!PROMQL_KEYWORDS.has(match[1])) {
            mentions.push({ name: match[1], line });
          }
        }
      }
      mentions.push(...prefixed(text, line));
    });
  }
  for (const span of extractCodeSpans(body, bodyLine)) {
    mentions.push(...prefixed(span.code, span.line));
  }

  function prefixed(text: string, line: number) {
    return [...text.matchAll(/\b([a-z][a-z0-9]*_[a-z0-9_]+)\b/g)]
      .filter((match) => metrics!.namespaces.some((namespace) => match[1].startsWith(namespace)))
      .map((match) => ({ name: match[1], line }));
  }

  const seen = new Set<string>();
  return mentions
    .filter(({ name, line }) => !isExported(name) && !seen.has(`${name}:${line}`) && seen.add(`${name}:${line}`))
    .map(({ name, line }) => ({
      file: file.path,
      line,
      severity: 'error' as const,
      rule: 'metrics' as const,
      message: `metric "${name}" is exported by nothing in the stack`,
      fix: `correct the name (known: ${closest(name, [...metrics.names])}) or declare the exporter's metrics`,
    }));
}

function closest(name: string, names: string[]): string {
  const stem = name.split('_').slice(0, 2).join('_');
  const near = names.filter((candidate) => candidate.startsWith(stem)).slice(0, 4);
  return (near.length > 0 ? near : names.slice(0, 4)).join(', ');
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bglsa_[A-Za-z0-9_]{20,}/, 'a Grafana service-account token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, 'a JSON Web Token'],
  [/\bBearer\s+(?![$<{"'])[A-Za-z0-9._~+/-]{16,}/, 'a literal bearer token'],
  // A value, not prose: eight or more token characters with a digit in them, not a placeholder.
  [
    /(?<![a-z0-9])(password|passwd|secret|token|api[_-]?key)\s*[:=]\s*(?=[A-Za-z0-9+/_.=-]*\d)[A-Za-z0-9+/_.=-]{8,}/i,
    'a literal credential',
  ],
  [/:\/\/[^/\s:@$<{]+:(?![$<{])[^/\s@]{3,}@/, 'a password inside a URL'],
];

// Documentation hosts and reserved example names are fine; anything else looks like a real, possibly internal host.
const ALLOWED_HOSTS = [
  /^localhost$/,
  /^127\.0\.0\.1$/,
  /^0\.0\.0\.0$/,
  /^host\.docker\.internal$/,
  /(^|\.)example(\.(com|org|net))?$/,
  /\.(test|invalid|localhost)$/,
  /(^|\.)(grafana\.com|prometheus\.io|redis\.io|postgresql\.org|prisma\.io|nestjs\.com|fastapi\.tiangolo\.com)$/,
  /(^|\.)(kubernetes\.io|docs\.docker\.com|github\.com|datatracker\.ietf\.org|sre\.google)$/,
];
const INTERNAL_SUFFIX = /\.(internal|corp|local|lan|intra|intranet|private)$/;

function checkSecretsAndHosts(file: SourceFile): Finding[] {
  const findings: Finding[] = [];
  file.source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    for (const [pattern, what] of SECRET_PATTERNS) {
      if (pattern.test(text)) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'secrets',
          message: `looks like ${what}; runbooks ship inside the plugin and are public`,
          fix: 'replace the value with a placeholder such as $EVENT_BUS_TOKEN or <token>, and rotate it if it was real',
        });
      }
    }
    const hosts = [
      ...[...text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/\s:'"`)<>$,;]+)/gi)].map((match) =>
        match[1].toLowerCase().replace(/\.+$/, '')
      ),
      ...[...text.matchAll(/\b((?:[a-z0-9-]+\.)+(?:internal|corp|local|lan|intra|intranet|private))\b/gi)].map(
        (match) => match[1].toLowerCase()
      ),
    ];
    const ips = [...text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)].map((match) => match[1]);
    for (const host of new Set([...hosts, ...ips])) {
      const isAllowed = ALLOWED_HOSTS.some((pattern) => pattern.test(host));
      const isHostname = /\./.test(host) || INTERNAL_SUFFIX.test(host);
      if (!isAllowed && isHostname) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'hostnames',
          message: `"${host}" looks like a real host; runbooks are public and must not map the infrastructure`,
          fix: 'use a placeholder such as $GRAFANA_URL, <db-host> or an example.com name',
        });
      }
    }
  });
  return findings;
}

function checkAlertCoverage(
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
