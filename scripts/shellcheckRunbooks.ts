import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Finding } from '../src/runbooks/check/types';
import { extractCodeBlocks } from '../src/runbooks/markdown';
import { parseRunbook } from '../src/runbooks/runbook';

// shellcheck (Debian's `shellcheck` package) over every bash and sh block of every runbook. The blocks of one file
// are checked as one script, in order, as an operator pastes them into one shell: a variable set in the procedure's
// first block and used in a later one is neither unused nor unassigned. Warnings and errors fail; shellcheck's
// info and style notes do not.

const SHELLS: Record<string, string> = { bash: 'bash', sh: 'sh', shell: 'bash', console: 'bash' };

/** Codes shellcheck gives a `<placeholder>` pasted into a command: a redirection it cannot parse, or several. */
const REDIRECTIONS = new Set([1073, 2259, 2260, 2261]);

interface Comment {
  file: string;
  line: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/** One file's shell blocks as one script, with the runbook line each script line came from. */
function scriptOf(source: string): { shell: string; text: string; lines: number[] } | undefined {
  const { body, bodyLine } = parseRunbook('', source);
  const blocks = extractCodeBlocks(body, bodyLine).filter((block) => SHELLS[block.info.split(/\s+/)[0]]);
  if (blocks.length === 0) {
    return undefined;
  }
  const shell = blocks.some((block) => SHELLS[block.info.split(/\s+/)[0]] === 'bash') ? 'bash' : 'sh';
  const lines: number[] = [];
  const text: string[] = [];
  for (const block of blocks) {
    block.content.split('\n').forEach((line, index) => {
      text.push(line);
      lines.push(block.line + 1 + index);
    });
  }
  return { shell, text: `${text.join('\n')}\n`, lines };
}

/**
 * Findings for the shell blocks of the files (`path` as findings name it, `source` its text). Throws when shellcheck
 * is not installed: a check that silently did not run would pass every runbook.
 */
export function shellcheckRunbooks(files: Array<{ path: string; source: string }>): Finding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-shellcheck-'));
  try {
    const scripts = new Map<string, { path: string; lines: number[] }>();
    const byShell = new Map<string, string[]>();
    files.forEach((file, index) => {
      const script = scriptOf(file.source);
      if (!script) {
        return;
      }
      const name = path.join(dir, `${index}.${script.shell}`);
      fs.writeFileSync(name, script.text);
      scripts.set(name, { path: file.path, lines: script.lines });
      byShell.set(script.shell, [...(byShell.get(script.shell) ?? []), name]);
    });

    const findings: Finding[] = [];
    for (const [shell, names] of byShell) {
      const result = spawnSync(
        'shellcheck',
        ['--shell', shell, '--severity', 'warning', '--format', 'json1', ...names],
        {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        }
      );
      if (result.error) {
        throw new Error(
          `shellcheck could not run (${result.error.message}). Install it: apt-get install -y shellcheck (Debian, Ubuntu) or brew install shellcheck`
        );
      }
      // Exit 1 means comments were printed; anything else is shellcheck failing.
      if (result.status !== 0 && result.status !== 1) {
        throw new Error(`shellcheck failed (exit ${result.status}): ${result.stderr}`);
      }
      const { comments } = JSON.parse(result.stdout) as { comments: Comment[] };
      for (const comment of comments) {
        const script = scripts.get(comment.file)!;
        findings.push({
          file: script.path,
          line: script.lines[comment.line - 1] ?? script.lines[script.lines.length - 1],
          severity: 'error',
          rule: 'shellcheck',
          message: `SC${comment.code} (${comment.level}): ${comment.message.trim().replace(/\.$/, '')}`,
          fix: REDIRECTIONS.has(comment.code)
            ? 'a placeholder such as <instance> is a redirection when pasted: set it once as a variable (INSTANCE=...) at the top of the procedure and use "$INSTANCE"'
            : `see https://www.shellcheck.net/wiki/SC${comment.code}`,
        });
      }
    }
    return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
