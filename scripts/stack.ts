// The stack without Docker: redis-server, the event-bus service, its demo workload and Prometheus, from local
// binaries and this repository's configuration, on loopback. `npm run stack` (Ctrl-C stops everything).
// Grafana is the one piece it cannot start: point one at the printed Prometheus and event-bus URLs (README).
//
//   npm run stack -- [options]   or   npx ts-node scripts/stack.ts [options]
// options: [--redis-port N] [--event-bus-port N] [--prometheus-port N] [--token T]
//          [--duration S] [--demo "--rate 20 --fail-share 0.1"] [--keep-data]
// Ports default to free ones (0); STACK_REDIS_PORT, STACK_EVENT_BUS_PORT, STACK_PROMETHEUS_PORT, EVENT_BUS_TOKEN
// work too. Needs redis-server and prometheus on PATH (Debian: apt-get install -y redis-server prometheus) and the
// built service (npm --prefix event-bus ci && npm --prefix event-bus run build).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

import type { RedisServer } from '../event-bus/src/redisServer';
import { localPrometheusConfig } from './stack/prometheusConfig';
import { freePort, httpOk, requireBinary, waitFor } from './stack/waiting';

const root = path.resolve(__dirname, '..');
const EVENT_BUS_DIST = path.join(root, 'event-bus', 'dist');
export const DEV_TOKEN = 'dev-event-bus-token';

export interface StackOptions {
  /** Fixed ports (numbers or their text, as given on the command line); free ones when unset, empty or 0. */
  redisPort?: number | string;
  eventBusPort?: number | string;
  prometheusPort?: number | string;
  /** The event-bus token; DEV_TOKEN when unset or empty. */
  token?: string;
  /** Arguments for the demo workload, separated by whitespace. */
  demo?: string;
  /** Leave the data directory (logs, Redis and Prometheus data) in place after stop(). */
  keepData?: boolean;
  /** Where progress lines go; stdout by default. */
  log?: (line: string) => void;
  /** Called when a process exits on its own (not through stop()), with its name. */
  onExit?: (name: string) => void;
}

export interface StackPorts {
  redis: number;
  eventBus: number;
  prometheus: number;
}

export interface Stack {
  ports: StackPorts;
  token: string;
  redisUrl: string;
  eventBusUrl: string;
  prometheusUrl: string;
  dataDir: string;
  logDir: string;
  /** Stops everything it started; the same promise on every call. */
  stop: () => Promise<void>;
  /** Date.now() once every part answered. */
  startedAt: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface StackChild {
  name: string;
  process: ChildProcess;
  exited: Promise<Exit>;
}

/**
 * Starts the stack and resolves once every part answers. `stop()` ends the processes it started (SIGTERM, then
 * SIGKILL after 10 s) and removes the data directory unless `keepData`.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  requireBinary('redis-server', 'install it (Debian: apt-get install -y redis-server)');
  requireBinary('prometheus', 'install it (Debian: apt-get install -y prometheus)');
  if (
    !['server.js', 'tools/demo.js', 'redisServer.js'].every((file) => fs.existsSync(path.join(EVENT_BUS_DIST, file)))
  ) {
    throw new Error(
      'the event-bus service is not built: npm --prefix event-bus ci && npm --prefix event-bus run build'
    );
  }
  // The redis-server the service's own tests and benchmark start, from its build.
  const { RedisServer: BuiltRedisServer } = require(path.join(EVENT_BUS_DIST, 'redisServer.js')) as {
    RedisServer: typeof RedisServer;
  };
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const token = options.token || DEV_TOKEN;
  const ports: StackPorts = {
    redis: Number(options.redisPort) || (await freePort()),
    eventBus: Number(options.eventBusPort) || (await freePort()),
    prometheus: Number(options.prometheusPort) || (await freePort()),
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdesk-stack-'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir);
  const children: StackChild[] = [];
  let redis: RedisServer | null = null;
  let stopping: Promise<void> | null = null;

  const exitNotice = (name: string, code: number | null, signal: NodeJS.Signals | null) => {
    if (!stopping) {
      log(`stack: ${name} exited (${signal ?? code}); see ${path.join(logDir, `${name}.log`)}`);
      options.onExit?.(name);
    }
  };

  const start = (name: string, command: string, args: string[], env: Record<string, string> = {}): StackChild => {
    const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    exited.then(({ code, signal }) => exitNotice(name, code, signal));
    const started: StackChild = { name, process: child, exited };
    children.push(started);
    return started;
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Reverse order: the demo and the service drain before Redis goes away.
      for (const { process: child, exited } of [...children].reverse()) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        }
      }
      // Redis last, as it started first.
      await redis?.stop(10_000);
      if (!options.keepData) {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  try {
    const redisDir = path.join(dataDir, 'redis');
    fs.mkdirSync(redisDir);
    redis = new BuiltRedisServer({
      port: ports.redis,
      dir: redisDir,
      appendfsync: 'everysec',
      output: { appendTo: path.join(logDir, 'redis.log') },
      startTimeoutMs: 10_000,
      onExit: (code, signal) => exitNotice('redis', code, signal),
    });
    await redis.start();

    const redisUrl = redis.url;
    start('event-bus', process.execPath, [path.join(EVENT_BUS_DIST, 'server.js')], {
      PORT: String(ports.eventBus),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      EVENT_BUS_TOKEN: token,
      // The service refuses the public development token unless told this is a development machine.
      ...(token === DEV_TOKEN ? { EVENT_BUS_ALLOW_DEV_TOKEN: '1' } : {}),
      LOG_LEVEL: 'warn',
    });
    const eventBusUrl = `http://127.0.0.1:${ports.eventBus}`;
    await waitFor('the event-bus service', () => httpOk(`${eventBusUrl}/livez`), 20_000);

    const demoArgs = (options.demo ?? '').split(/\s+/).filter(Boolean);
    start('demo', process.execPath, [path.join(EVENT_BUS_DIST, 'tools', 'demo.js'), ...demoArgs], {
      REDIS_URL: redisUrl,
    });

    const promDir = path.join(dataDir, 'prometheus');
    fs.mkdirSync(promDir);
    const configFile = path.join(promDir, 'prometheus.yml');
    fs.writeFileSync(configFile, stringify(localPrometheusConfig(ports.eventBus)));
    start('prometheus', 'prometheus', [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      '--storage.tsdb.retention.time=1d',
    ]);
    const prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;
    await waitFor('prometheus', () => httpOk(`${prometheusUrl}/-/ready`), 30_000);

    return { ports, token, redisUrl, eventBusUrl, prometheusUrl, dataDir, logDir, stop, startedAt: Date.now() };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'redis-port': { type: 'string', default: process.env.STACK_REDIS_PORT },
      'event-bus-port': { type: 'string', default: process.env.STACK_EVENT_BUS_PORT },
      'prometheus-port': { type: 'string', default: process.env.STACK_PROMETHEUS_PORT },
      token: { type: 'string', default: process.env.EVENT_BUS_TOKEN },
      demo: { type: 'string', default: '' },
      duration: { type: 'string', default: '0' },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      fs
        .readFileSync(__filename, 'utf8')
        .split('\nimport ')[0]
        .replace(/^\/\/ ?/gm, '')
    );
    return;
  }
  let stack: Stack | undefined;
  const shutdown = async (signal: string) => {
    process.stdout.write(`\nstack: ${signal}, stopping everything\n`);
    await stack?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  stack = await startStack({
    redisPort: values['redis-port'],
    eventBusPort: values['event-bus-port'],
    prometheusPort: values['prometheus-port'],
    token: values.token,
    demo: values.demo,
    keepData: values['keep-data'],
    onExit: () => void shutdown('a process exited'),
  });
  const s = stack;
  process.stdout.write(
    [
      'stack: up',
      `  redis        ${s.redisUrl}   (AOF everysec, noeviction)`,
      `  event bus    ${s.eventBusUrl}   (token: ${s.token === DEV_TOKEN ? `${DEV_TOKEN}, the development default` : 'from --token / EVENT_BUS_TOKEN'})`,
      `  demo         dead-letters about 2 messages/s; EventBusDlqBacklogGrowing fires ~6 min after start`,
      `  prometheus   ${s.prometheusUrl}   (alerts: ${s.prometheusUrl}/alerts)`,
      `  logs         ${s.logDir}`,
      "Grafana (not started here): run one on this machine with this repository's provisioning/ and",
      `  PROMETHEUS_URL=${s.prometheusUrl} EVENT_BUS_URL=${s.eventBusUrl} EVENT_BUS_TOKEN=<the token above>`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n')
  );
  const duration = Number(values.duration);
  if (duration > 0) {
    setTimeout(() => void shutdown(`${duration} s elapsed`), duration * 1000);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`stack: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
