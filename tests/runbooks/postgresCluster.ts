// A throwaway PostgreSQL cluster for tests that run runbook blocks: Debian's server binaries (initdb, pg_ctl), on a
// free TCP port of 127.0.0.1 with SCRAM passwords, in a temporary directory removed by stop(). initdb and postgres
// refuse to run as root, so under root (CI) they run as the `postgres` system user that Debian's package creates.
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SERVER_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_MS = 15_000;

/** The directory of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH. */
export function postgresBinDir(): string {
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((version) => fs.existsSync(path.join(debian, version, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) {
    return path.join(debian, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) {
      return path.dirname(fs.realpathSync(path.join(dir, 'initdb')));
    }
  }
  throw new Error('initdb not found in /usr/lib/postgresql/*/bin or on PATH: apt-get install -y postgresql');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: SERVER_TIMEOUT_MS, ...options });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`
    );
  }
  return String(result.stdout);
}

/** The uid and gid of the `postgres` user, when this process is root; undefined otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) {
    throw new Error(
      'running as root, and there is no postgres user to run the server as: apt-get install -y postgresql'
    );
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export interface PostgresCluster {
  port: number;
  /** A superuser connection string (user postgres) to `database`. */
  adminUrl(database?: string): string;
  /** Runs SQL through psql (ON_ERROR_STOP) and returns its unaligned, tuples-only output. */
  query(sql: string, url?: string): string;
  /** psql's result without throwing, for connections expected to fail. */
  tryQuery(sql: string, url: string): { status: number | null; output: string };
  stop(): void;
}

export async function startPostgres(adminPassword: string): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const owner = serverUser();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-postgres-'));
  const asOwner = (command: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], { cwd: base })
      : run(path.join(bin, command), args, { cwd: base });
  const data = path.join(base, 'data');
  const passwordFile = path.join(base, 'password');
  let started = false;
  const stop = () => {
    try {
      if (started) {
        asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']);
        started = false;
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  };

  try {
    fs.writeFileSync(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    if (owner) {
      fs.chownSync(base, owner.uid, owner.gid);
      fs.chownSync(passwordFile, owner.uid, owner.gid);
    }
    asOwner('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${base}`,
      '-c TimeZone=UTC',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    asOwner('pg_ctl', ['-D', data, '-l', path.join(base, 'server.log'), '-o', settings, '-w', '-t', '20', 'start']);
    started = true;

    const adminUrl = (database = 'postgres') =>
      `postgresql://postgres:${adminPassword}@127.0.0.1:${port}/${database}?sslmode=disable`;
    const psql = (sql: string, url: string) =>
      spawnSync(path.join(bin, 'psql'), [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-f', '-'], {
        input: sql,
        encoding: 'utf8',
        timeout: QUERY_TIMEOUT_MS,
        env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '10' },
      });
    return {
      port,
      adminUrl,
      query(sql, url = adminUrl()) {
        const result = psql(sql, url);
        if (result.error || result.status !== 0) {
          throw new Error(
            `psql failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}\n${sql}`
          );
        }
        return result.stdout.trim();
      },
      tryQuery(sql, url) {
        const result = psql(sql, url);
        return { status: result.status, output: `${result.stdout}${result.stderr}` };
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
