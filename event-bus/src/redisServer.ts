import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Starts a throwaway redis-server on a free loopback port with its own directory, for tests, the benchmark and the
// repository's local stack and browser harness. Never touches the default port.

export type Fsync = 'everysec' | 'always' | 'no';

export interface RedisServerOptions {
  appendfsync?: Fsync;
  /** false: no AOF, no RDB (a restart loses everything). */
  persistence?: boolean;
  /** A fixed port; by default a free one, picked at the first start. */
  port?: number;
  /** The data directory (destroy() removes it); by default a new temporary one. */
  dir?: string;
  /**
   * Where redis-server's output goes: by default its log (stdout) is dropped and stderr passed through; 'ignore'
   * drops both; `appendTo` appends both to that file.
   */
  output?: 'ignore' | { appendTo: string };
  /** How long start() waits for the server to answer PING; 15 s by default. */
  startTimeoutMs?: number;
  /** Called when the process exits, stopped or not (a crash, say). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until the port answers PING; gives up quietly once `gone()` says the process is gone. */
async function waitForPort(port: number, timeoutMs: number, gone: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!gone()) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.write('PING\r\n');
      });
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) {
      return;
    }
    if (Date.now() > until) {
      throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir: string;
  port = 0;

  constructor(private options: RedisServerOptions = {}) {
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'event-bus-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(overrides: RedisServerOptions = {}): Promise<void> {
    this.options = { ...this.options, ...overrides };
    if (!this.port) {
      this.port = this.options.port ?? (await freePort());
    }
    const persistence = this.options.persistence ?? true;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      persistence ? 'yes' : 'no',
      '--appendfsync',
      this.options.appendfsync ?? 'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
    ];
    const { output, onExit } = this.options;
    const log = typeof output === 'object' ? openSync(output.appendTo, 'a') : null;
    let proc: ChildProcess;
    try {
      proc = spawn('redis-server', args, {
        stdio: ['ignore', log ?? 'ignore', log ?? (output === 'ignore' ? 'ignore' : 'inherit')],
      });
    } finally {
      if (log !== null) {
        closeSync(log);
      }
    }
    this.proc = proc;
    let gone = false;
    proc.once('exit', (code, signal) => {
      gone = true;
      onExit?.(code, signal);
    });
    const timeoutMs = this.options.startTimeoutMs ?? 15000;
    await Promise.race([
      waitForPort(this.port, timeoutMs, () => gone),
      new Promise((_, reject) => {
        proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
        // Not started at all (not installed, say): rejected with the spawn error instead of an unhandled 'error'.
        proc.once('error', (err) => {
          gone = true;
          if (this.proc === proc) {
            this.proc = null;
          }
          reject(err);
        });
      }),
    ]);
  }

  /** SIGKILL: no shutdown save, no final fsync. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, which fsyncs the AOF; with `killAfterMs`, SIGKILL if the server has not exited by then. */
  async stop(killAfterMs?: number): Promise<void> {
    const killer = killAfterMs === undefined ? undefined : setTimeout(() => this.proc?.kill('SIGKILL'), killAfterMs);
    try {
      await this.signal('SIGTERM');
    } finally {
      clearTimeout(killer);
    }
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      this.proc = null;
      return;
    }
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(sig);
    await exited;
    this.proc = null;
  }

  /** Stops the server (SIGTERM, or SIGKILL with 'kill9') and removes its directory. */
  async destroy(how: 'stop' | 'kill9' = 'stop'): Promise<void> {
    await (how === 'kill9' ? this.kill9() : this.stop());
    rmSync(this.dir, { recursive: true, force: true });
  }
}
