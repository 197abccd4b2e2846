import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ConfigError, configFromEnv } from '../src/config';

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
