import { CodeBlock, extractCodeBlocks, extractHeadings } from '../markdown';
import { Finding, SourceFile } from './types';

// Rule `commands`: the mistakes a pasted command makes that the reviews of these runbooks found, each a pattern:
// psql on Prisma's URL, logs of one pod read as the deployment's, and a destructive command nothing checked first.
// shellcheck (scripts/shellcheckRunbooks.ts) covers what a shell parser can see.

/** Blocks an operator runs: shell and SQL. Sample output (`text`), JSON, YAML and queries are not commands. */
const RUN_LANGUAGES = new Set(['bash', 'sh', 'shell', 'console', 'sql', 'psql']);

const DATABASE_URL = /\b(psql|pg_dump|pg_dumpall|pg_restore)\b[^|;&]*?["']?\$\{?DATABASE_URL\b/;
const ONE_POD_LOGS = /\bkubectl\b.*\blogs\b.*\s(deploy|deployment|deployments)\/\S+/;
const SELECTED_LOGS = /\bkubectl\b.*\blogs\b.*\s(-l|--selector)[\s=]/;
const ALL_LINES = /\s--tail[\s=]/;
const LOGS_FIX =
  'select every pod by label, with every line since a time: kubectl logs -l app.kubernetes.io/name=NAME --all-containers --prefix --since=15m --tail=-1';

const DESTRUCTIVE: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /\bDROP\s+(TABLE|DATABASE|ROLE|SCHEMA|OWNED|USER)\b/i, what: 'DROP' },
  { pattern: /\bTRUNCATE\b/i, what: 'TRUNCATE' },
  { pattern: /\bDELETE\s+FROM\b/i, what: 'DELETE FROM' },
  { pattern: /\bpg_terminate_backend\b/, what: 'pg_terminate_backend' },
  { pattern: /(^|[\s;|&])dropdb\s/, what: 'dropdb' },
  { pattern: /\bkubectl\b.*\sdelete\s/, what: 'kubectl delete' },
  { pattern: /\b(FLUSHALL|FLUSHDB)\b/i, what: 'FLUSHALL/FLUSHDB' },
  { pattern: /\bredis-cli\b.*\s(DEL|UNLINK|XDEL|XTRIM)\s/i, what: 'a Redis delete' },
  { pattern: /\baws\s+rds\s+delete-db-instance\b/, what: 'aws rds delete-db-instance' },
];
const PURGE = /\/api\/events\/dlq\/purge\b/;
const DRY_RUN = /["']?dryRun["']?\s*:\s*true/;

/** A block's commands: continued lines joined, with the line each starts on. */
export function commandsOf(block: CodeBlock): Array<{ text: string; line: number }> {
  const lines = block.content.split('\n');
  const commands: Array<{ text: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i];
    while (/\\\s*$/.test(text) && i + 1 < lines.length) {
      i++;
      text = text.replace(/\\\s*$/, ' ') + lines[i];
    }
    commands.push({ text, line: block.line + 1 + start });
  }
  return commands;
}

function destructiveIn(command: string): string | undefined {
  if (PURGE.test(command) && !DRY_RUN.test(command)) {
    return 'a purge';
  }
  return DESTRUCTIVE.find(({ pattern }) => pattern.test(command))?.what;
}

/**
 * A line that looks at something: not blank, not a comment, not a literal assignment, not the opening of a heredoc
 * or transaction (what follows is what runs), not destructive itself.
 */
function isCheck(command: string): boolean {
  const text = command.trim();
  return (
    text !== '' &&
    !/^(#|--)/.test(text) &&
    !(/^[A-Za-z_][A-Za-z0-9_]*=/.test(text) && !text.includes('$(')) &&
    !/<<-?\s*['"]?\w+['"]?\s*$/.test(text) &&
    !/^(BEGIN|START TRANSACTION|set\s+-)/i.test(text) &&
    !destructiveIn(text)
  );
}

export function checkCommands(file: SourceFile, body: string, bodyLine: number): Finding[] {
  const headingLines = extractHeadings(body, bodyLine).map((heading) => heading.line);
  const sectionOf = (line: number) => headingLines.filter((headingLine) => headingLine < line).pop() ?? 0;
  const blocks = extractCodeBlocks(body, bodyLine).filter((block) =>
    RUN_LANGUAGES.has(block.info.split(/\s+/)[0] ?? '')
  );

  const findings: Finding[] = [];
  const finding = (line: number, message: string, fix: string): Finding => ({
    file: file.path,
    line,
    severity: 'error',
    rule: 'commands',
    message,
    fix,
  });
  blocks.forEach((block, index) => {
    const section = sectionOf(block.line);
    const checkedBefore = blocks
      .slice(0, index)
      .some((earlier) => sectionOf(earlier.line) === section && commandsOf(earlier).some(({ text }) => isCheck(text)));
    let checked = checkedBefore;
    for (const { text, line } of commandsOf(block)) {
      if (DATABASE_URL.test(text)) {
        findings.push(
          finding(
            line,
            'psql and pg_dump reject the parameters Prisma puts in DATABASE_URL (?schema=, connection_limit: "invalid URI query parameter")',
            'derive PSQL_URL once, without Prisma\'s own parameters, as runbooks/README.md shows ("Conventions"), and use "$PSQL_URL"'
          )
        );
      }
      if (ONE_POD_LOGS.test(text)) {
        findings.push(
          finding(
            line,
            '`kubectl logs deploy/NAME` reads one pod of the deployment, so the failing pod may be the one not shown',
            LOGS_FIX
          )
        );
      } else if (SELECTED_LOGS.test(text) && !ALL_LINES.test(text)) {
        findings.push(
          finding(
            line,
            '`kubectl logs -l ...` without --tail shows only the last 10 lines of each pod, whatever --since says',
            LOGS_FIX
          )
        );
      }
      const destructive = destructiveIn(text);
      if (destructive && !checked) {
        findings.push(
          finding(
            line,
            `${destructive} runs before anything shows what it will affect`,
            'show what it will change first: a command earlier in this block, or a block earlier under this heading (a count, a list, a dry run)'
          )
        );
      }
      checked ||= isCheck(text);
    }
  });
  return findings;
}
