import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Starts a throwaway redis-server on a free loopback port with its own directory, for tests and the benchmark.
// Never touches the default port.

export type Fsync = 'everysec' | 'always' | 'no';

export interface RedisServerOptions {
  appendfsync?: Fsync;
  /** false: no AOF, no RDB (a restart loses everything). */
  persistence?: boolean;
  port?: number;
  dir?: string;
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

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
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
    this.proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const proc = this.proc;
    await Promise.race([
      waitForPort(this.port, 15000),
      new Promise((_, reject) => proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)))),
    ]);
  }

  /** SIGKILL: no shutdown save, no final fsync. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
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

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
