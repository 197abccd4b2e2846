// The real services tests run against: a throwaway redis-server and the built reference event-bus service, each on a
// free loopback port, stopped by `stop()`. The event bus must be built first (`npm --prefix event-bus run build`).
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
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
interface RedisServerLike {
  readonly url: string;
  start(): Promise<void>;
  destroy(how?: 'stop' | 'kill9'): Promise<void>;
}
interface RedisServerModule {
  RedisServer: new (options?: { dir?: string; output?: 'ignore' | { appendTo: string } }) => RedisServerLike;
  freePort(): Promise<number>;
}
// The service's own code, from its build: what `npm --prefix event-bus run demo -- --seed N` uses, and the
// redis-server its own tests start.
const { seedDlq } = require(path.join(EVENT_BUS, 'dist', 'tools', 'seed.js')) as SeedModule;
const { makeRedisClient } = require(path.join(EVENT_BUS, 'dist', 'redis.js')) as RedisModule;
const redisServerModule = require(path.join(EVENT_BUS, 'dist', 'redisServer.js')) as RedisServerModule;
const { RedisServer } = redisServerModule;

export const DLQ_STREAM = '{events}:dlq';

/** A free loopback port. */
export const freePort: () => Promise<number> = redisServerModule.freePort;

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
  const redisServer = new RedisServer({
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'event-bus-stack-')),
    output: 'ignore',
  });
  const servicePort = await freePort();
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  let redis: RedisClientLike | undefined;
  let service: ChildProcess | undefined;

  const startService = async () => {
    if (service) {
      throw new Error('the event-bus service is already running');
    }
    service = spawn('node', [path.join(EVENT_BUS, 'dist', 'server.js')], {
      env: {
        ...process.env,
        PORT: String(servicePort),
        REDIS_URL: redisServer.url,
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
    await redis?.close().catch(() => undefined);
    await stopService();
    await redisServer.destroy('kill9');
  };
  try {
    await redisServer.start();
    const client = makeRedisClient(redisServer.url, { disableOfflineQueue: false });
    redis = client;
    await client.connect();
    await startService();
    return {
      serviceUrl,
      token,
      redis: client,
      seed: (origin, payloads, options) => seedDlq(client, { dlqStream: DLQ_STREAM }, origin, payloads, options),
      stopService,
      startService,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
