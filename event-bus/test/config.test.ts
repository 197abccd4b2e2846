import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ConfigError, configFromEnv, DEV_TOKEN } from '../src/config';
import { freePort } from '../src/redisServer';

const SERVER = join(__dirname, '..', 'src', 'server.ts');

/** This process's environment without any of the service's token settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['EVENT_BUS_TOKEN', 'EVENT_BUS_TOKEN_PREVIOUS', 'EVENT_BUS_ALLOW_DEV_TOKEN']) {
    delete env[name];
  }
  return env;
}

/**
 * Starts the real server process (no Redis behind it: it starts anyway), waits for "event-bus ready", stops it with
 * SIGTERM and returns every JSON log line it wrote.
 */
async function startupLog(env: NodeJS.ProcessEnv): Promise<Array<{ level: number; msg: string }>> {
  const redisPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', REDIS_URL: `redis://127.0.0.1:${redisPort}`, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Liveness only: tsx compiles the service first, which takes a few seconds on a busy machine.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (out.includes('"event-bus ready"')) {
      child.kill('SIGTERM');
    }
  });
  await exited;
  clearTimeout(deadline);
  assert.match(out, /"event-bus ready"/, 'the server never became ready');
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('configuration from the environment', () => {
  test('defaults: port 8080, local Redis, three streams, the {events}:dlq DLQ', () => {
    const c = configFromEnv({ EVENT_BUS_TOKEN: 'x'.repeat(20) });
    assert.equal(c.port, 8080);
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.deepEqual(c.streams, ['{events}:orders', '{events}:payments', '{events}:notifications']);
    assert.equal(c.dlqStream, '{events}:dlq');
    assert.equal(c.batchSize, 200);
  });

  test('every documented variable is read', () => {
    const c = configFromEnv({
      EVENT_BUS_TOKEN: 'y'.repeat(20),
      PORT: '9090',
      REDIS_URL: 'redis://10.0.0.1:6380',
      EVENT_STREAMS: 'billing, {events}:audit',
      DLQ_STREAM: 'dead',
      DELIVERY_LIMIT: '7',
      DLQ_DEGRADED_LENGTH: '10',
      DLQ_DEGRADED_AGE_SECONDS: '600',
      GROUP_LAG_DEGRADED: '50',
      PAYLOAD_MAX_CHARS: '100',
      REDACT_KEYS: 'ssn,pin',
      BATCH_SIZE: '300',
    });
    assert.equal(c.port, 9090);
    assert.equal(c.redisUrl, 'redis://10.0.0.1:6380');
    assert.deepEqual(c.streams, ['{events}:billing', '{events}:audit']);
    assert.equal(c.dlqStream, '{events}:dead');
    assert.deepEqual(
      [
        c.deliveryLimit,
        c.dlqDegradedLength,
        c.dlqDegradedAgeSeconds,
        c.groupLagDegraded,
        c.payloadMaxChars,
        c.batchSize,
      ],
      [7, 10, 600, 50, 100, 300]
    );
    assert.deepEqual(c.redactKeys, ['ssn', 'pin']);
  });

  test('the token being retired is read during a rotation, and absent otherwise', () => {
    const rotating = configFromEnv({ EVENT_BUS_TOKEN: 'n'.repeat(20), EVENT_BUS_TOKEN_PREVIOUS: 'o'.repeat(20) });
    assert.equal(rotating.previousToken, 'o'.repeat(20));
    assert.equal(configFromEnv({ EVENT_BUS_TOKEN: 'n'.repeat(20) }).previousToken, undefined);
    assert.equal(
      configFromEnv({ EVENT_BUS_TOKEN: 'n'.repeat(20), EVENT_BUS_TOKEN_PREVIOUS: '' }).previousToken,
      undefined
    );
  });

  for (const [label, env, pattern] of [
    ['no token', {}, /EVENT_BUS_TOKEN is not set/],
    ['a short token', { EVENT_BUS_TOKEN: 'short' }, /shorter than 16/],
    [
      'a short previous token',
      { EVENT_BUS_TOKEN: 'z'.repeat(20), EVENT_BUS_TOKEN_PREVIOUS: 'short' },
      /EVENT_BUS_TOKEN_PREVIOUS is shorter than 16/,
    ],
    ['a bad port', { EVENT_BUS_TOKEN: 'z'.repeat(20), PORT: 'http' }, /PORT must be a whole number/],
    [
      'a batch over 1000',
      { EVENT_BUS_TOKEN: 'z'.repeat(20), BATCH_SIZE: '5000' },
      /BATCH_SIZE must be between 1 and 1000/,
    ],
    [
      'a stream outside the hash tag',
      { EVENT_BUS_TOKEN: 'z'.repeat(20), EVENT_STREAMS: 'a b' },
      /not a valid stream name/,
    ],
    [
      'the DLQ as a main stream',
      { EVENT_BUS_TOKEN: 'z'.repeat(20), EVENT_STREAMS: 'dlq' },
      /cannot also be a main stream/,
    ],
  ] as Array<[string, NodeJS.ProcessEnv, RegExp]>) {
    test(`refuses ${label} with a clear message`, () => {
      assert.throws(
        () => configFromEnv(env),
        (err: Error) => err instanceof ConfigError && pattern.test(err.message)
      );
    });
  }

  test('the development token is refused unless EVENT_BUS_ALLOW_DEV_TOKEN=1, in one line that says what to do', () => {
    for (const env of [
      { EVENT_BUS_TOKEN: DEV_TOKEN },
      { EVENT_BUS_TOKEN: DEV_TOKEN, EVENT_BUS_ALLOW_DEV_TOKEN: '0' },
      { EVENT_BUS_TOKEN: DEV_TOKEN, EVENT_BUS_ALLOW_DEV_TOKEN: '' },
    ]) {
      assert.throws(
        () => configFromEnv(env),
        (err: Error) =>
          err instanceof ConfigError &&
          !err.message.includes('\n') &&
          /^EVENT_BUS_TOKEN is the public development token "dev-event-bus-token": set a long random token/.test(
            err.message
          ) &&
          err.message.includes('EVENT_BUS_ALLOW_DEV_TOKEN=1')
      );
    }
    assert.equal(configFromEnv({ EVENT_BUS_TOKEN: DEV_TOKEN, EVENT_BUS_ALLOW_DEV_TOKEN: '1' }).token, DEV_TOKEN);
  });

  test('the development token as the previous token is refused the same way', () => {
    const env = { EVENT_BUS_TOKEN: 'n'.repeat(20), EVENT_BUS_TOKEN_PREVIOUS: DEV_TOKEN };
    assert.throws(
      () => configFromEnv(env),
      (err: Error) =>
        err instanceof ConfigError && /^EVENT_BUS_TOKEN_PREVIOUS is the public development/.test(err.message)
    );
    assert.equal(configFromEnv({ ...env, EVENT_BUS_ALLOW_DEV_TOKEN: '1' }).previousToken, DEV_TOKEN);
  });

  test('EVENT_BUS_ALLOW_DEV_TOKEN is 1 or 0, nothing else', () => {
    assert.throws(
      () => configFromEnv({ EVENT_BUS_TOKEN: DEV_TOKEN, EVENT_BUS_ALLOW_DEV_TOKEN: 'true' }),
      (err: Error) =>
        err instanceof ConfigError && /EVENT_BUS_ALLOW_DEV_TOKEN must be 1 or 0, got "true"/.test(err.message)
    );
    assert.equal(
      configFromEnv({ EVENT_BUS_TOKEN: 'n'.repeat(20), EVENT_BUS_ALLOW_DEV_TOKEN: '0' }).token,
      'n'.repeat(20)
    );
  });

  test('the server refuses to start with the development token: one line on stderr, exit code 78', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', SERVER], {
      env: { ...cleanEnv(), PORT: '0', EVENT_BUS_TOKEN: DEV_TOKEN },
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(res.status, 78);
    assert.match(
      res.stderr,
      /^event-bus: configuration error: EVENT_BUS_TOKEN is the public development token [^\n]*EVENT_BUS_ALLOW_DEV_TOKEN=1[^\n]*\n$/
    );
  });

  test('at start, the server warns that the previous token is still accepted, and only while it is set', async () => {
    const previous = 'previous-token-0123456789';
    const rotating = await startupLog({ EVENT_BUS_TOKEN: 'n'.repeat(20), EVENT_BUS_TOKEN_PREVIOUS: previous });
    const warning = rotating.find((line) => /EVENT_BUS_TOKEN_PREVIOUS is set/.test(line.msg));
    assert.ok(warning, 'no warning about EVENT_BUS_TOKEN_PREVIOUS');
    assert.equal(warning.level, 40);
    assert.match(warning.msg, /previous token is still accepted.*unset EVENT_BUS_TOKEN_PREVIOUS/);
    assert.ok(!JSON.stringify(rotating).includes(previous), 'a token reached the log');
    const settled = await startupLog({ EVENT_BUS_TOKEN: 'n'.repeat(20) });
    assert.ok(!settled.some((line) => /EVENT_BUS_TOKEN_PREVIOUS/.test(line.msg)));
  });

  test('the server refuses to start without EVENT_BUS_TOKEN, says why, and exits non-zero', () => {
    const env = { ...process.env };
    delete env.EVENT_BUS_TOKEN;
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'server.ts')], {
      env: { ...env, PORT: '0' },
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(res.status, 78);
    assert.match(res.stderr, /EVENT_BUS_TOKEN is not set/);
  });
});
