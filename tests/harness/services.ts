// The real services tests run against: a throwaway redis-server and the built reference event-bus service, each on a
// free loopback port, stopped by `stop()`. The event bus must be built first (`npm --prefix event-bus run build`).
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const EVENT_BUS = path.resolve(__dirname, '..', '..', 'event-bus');

export interface RedisClientLike {
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
}
/** What the dead-lettered entries say about themselves; the service's seed defaults apply where unset. */
export interface SeedOptions {
  type?: string;
  reason?: string;
  attempts?: number;
}
interface SeedModule {
  seedDlq(
    client: unknown,
    config: { dlqStream: string },
    origin: string,
    payloads: string[],
    options?: SeedOptions
  ): Promise<string[]>;
}
interface RedisModule {
  makeRedisClient(url: string, options?: { disableOfflineQueue?: boolean }): RedisClientLike;
}
// The service's own code, from its build: what `npm --prefix event-bus run demo -- --seed N` uses.
const { seedDlq } = require(path.join(EVENT_BUS, 'dist', 'tools', 'seed.js')) as SeedModule;
const { makeRedisClient } = require(path.join(EVENT_BUS, 'dist', 'redis.js')) as RedisModule;

export const DLQ_STREAM = '{events}:dlq';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface EventBusStack {
  /** Root URL of the event-bus service, for the app's `jsonData.eventBusUrl`. */
  serviceUrl: string;
  token: string;
  redis: RedisClientLike;
  /** Adds DLQ entries as if dead-lettered from `origin`; returns their DLQ IDs. */
  seed: (origin: string, payloads: string[], options?: SeedOptions) => Promise<string[]>;
  /** Kills the event-bus process (SIGKILL, as a crash would), leaving Redis up. */
  stopService: () => Promise<void>;
  /** Starts the event-bus process again on the same port, after `stopService`. */
  startService: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Starts redis-server (AOF on, in a temp dir) and the event-bus service beside it. */
export async function startEventBusStack(token = 'harness-service-token-0123456789'): Promise<EventBusStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-bus-stack-'));
  const redisPort = await freePort();
  const servicePort = await freePort();
  const redisServer = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'],
    { stdio: 'ignore' }
  );
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const redis = makeRedisClient(redisUrl, { disableOfflineQueue: false });
  let service: ChildProcess | undefined;

  const startService = async () => {
    if (service) {
      throw new Error('the event-bus service is already running');
    }
    service = spawn('node', [path.join(EVENT_BUS, 'dist', 'server.js')], {
      env: {
        ...process.env,
        PORT: String(servicePort),
        REDIS_URL: redisUrl,
        EVENT_BUS_TOKEN: token,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(`${serviceUrl}/livez`)).ok, 'the event-bus service');
  };
  const stopService = async () => {
    const running = service;
    service = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGKILL');
    });
  };
  const stop = async () => {
    await redis.close().catch(() => undefined);
    await stopService();
    redisServer.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => Boolean(await redis.connect()), 'redis-server');
    await startService();
    return {
      serviceUrl,
      token,
      redis,
      seed: (origin, payloads, options) => seedDlq(redis, { dlqStream: DLQ_STREAM }, origin, payloads, options),
      stopService,
      startService,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
