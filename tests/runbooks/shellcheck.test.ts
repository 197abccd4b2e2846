// The runbook checker's shellcheck pass (scripts/shellcheckRunbooks.ts) on runbooks written for it: a finding names
// the runbook line, and a file's blocks are one script, as an operator pastes them into one shell.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { shellcheckRunbooks } from '../../scripts/shellcheckRunbooks';

const runbook = (...body: string[]) => ['---', 'title: T', '---', '', '# T', '', ...body, ''].join('\n');

describe('shellcheck over the shell blocks of runbooks', () => {
  it('names the runbook line of a placeholder pasted as a redirection', () => {
    const source = runbook(
      '## Procedure',
      '',
      '```bash',
      'aws rds describe-db-instances \\',
      '  --db-instance-identifier <instance>',
      '```'
    );
    const findings = shellcheckRunbooks([{ path: 'runbooks/r.md', source }]);
    assert.ok(findings.length > 0, 'a finding');
    assert.deepEqual(
      { file: findings[0].file, line: findings[0].line, rule: findings[0].rule, severity: findings[0].severity },
      { file: 'runbooks/r.md', line: 11, rule: 'shellcheck', severity: 'error' }
    );
    assert.match(findings[0].message, /^SC1073 \(error\): Couldn't parse this redirection/);
    assert.match(findings[0].fix, /set it once as a variable \(INSTANCE=\.\.\.\)/);
  });

  it('checks the blocks of a file as one script: a variable set in one block and used in a later one is fine', () => {
    const source = runbook(
      '## Procedure',
      '```bash',
      'INSTANCE=opsdesk-prod-db   # the instance id',
      '```',
      'Then:',
      '```bash exec',
      'aws rds describe-db-instances --db-instance-identifier "$INSTANCE"',
      '```',
      '```sql',
      'SELECT <not shell>;',
      '```',
      '```text',
      'output <not shell>',
      '```'
    );
    assert.deepEqual(shellcheckRunbooks([{ path: 'runbooks/r.md', source }]), []);
  });

  it('fails what shellcheck warns about, on the line it is on, in each of several files', () => {
    const unused = runbook('## Procedure', '```bash', 'STREAM=orders', '```');
    const unquotedCd = runbook('## Procedure', '```sh', 'cd /tmp/restore', 'ls', '```');
    const findings = shellcheckRunbooks([
      { path: 'runbooks/a.md', source: unused },
      { path: 'runbooks/b.md', source: unquotedCd },
    ]);
    assert.deepEqual(
      findings.map(({ file, line, message }) => `${file}:${line}: ${message.slice(0, 6)}`),
      ['runbooks/a.md:9: SC2034', 'runbooks/b.md:9: SC2164']
    );
  });
});
