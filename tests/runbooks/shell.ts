import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import os from 'node:os';

// What the executed-runbook tests share: one bash shell that blocks are pasted into, in order, as an operator
// would, so variables set by one block are there for the next and the test can act between blocks.

/** A bash process fed one block at a time, so the test can act between blocks while variables persist. */
export class Shell {
  private output = '';
  private exited?: number | null;
  private readonly process: ChildProcessWithoutNullStreams;

  constructor(env: NodeJS.ProcessEnv, cwd = os.tmpdir()) {
    this.process = spawn('bash', ['--noprofile', '--norc'], { env, cwd });
    this.process.stdout.on('data', (chunk) => (this.output += chunk));
    this.process.stderr.on('data', (chunk) => (this.output += chunk));
    this.process.on('exit', (code) => (this.exited = code));
    this.process.stdin.write('set -euo pipefail\n');
  }

  async run(block: string, timeoutMs = 60_000): Promise<string> {
    const marker = `__block_done_${Math.random().toString(36).slice(2)}__`;
    const start = this.output.length;
    this.process.stdin.write(`${block}\necho ${marker}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(marker, start)) {
      if (this.exited !== undefined || Date.now() > deadline) {
        throw new Error(
          `block failed (exit ${this.exited ?? 'timeout'}):\n${block}\n--- output:\n${this.output.slice(start)}`
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.output.slice(start, this.output.indexOf(marker, start));
  }

  close() {
    this.process.kill('SIGKILL');
  }
}
