import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Ajv from 'ajv';
import type { FastifyInstance } from 'fastify';

import { loadOpenApi, schema } from '../src/openapi';
import type { RedisServer } from '../src/redisServer';
import { AUTH, makeApp, startRedis } from './helpers';

// openapi.yaml is the single description: every documented operation exists, nothing undocumented exists, and
// every schema compiles. Request validation is built from the same file at startup (src/openapi.ts).

let redis: RedisServer;
let app: FastifyInstance;

before(async () => {
  redis = await startRedis();
  app = await makeApp(redis.url);
});

after(async () => {
  await app.close();
  await redis.destroy();
});

const doc = loadOpenApi();

describe('openapi.yaml', () => {
  test('is OpenAPI 3.1 and every component schema compiles', () => {
    assert.match(String((doc as unknown as { openapi: string }).openapi), /^3\.1\./);
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    for (const name of Object.keys(doc.components.schemas)) {
      assert.doesNotThrow(() => ajv.compile(schema(name)), name);
    }
  });

  test('every documented path and method is served (never 404/405 for the method it documents)', async () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const url = path.replace('{operationId}', 'op_0000000000AAAAAAAAAA').replace('{id}', '1-0');
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { ...AUTH, 'content-type': 'application/json' },
          payload: method === 'post' ? '{}' : undefined,
        });
        assert.ok(res.statusCode !== 405, `${method} ${path} -> 405`);
        if (!path.includes('{')) {
          assert.notEqual(res.statusCode, 404, `${method} ${path} -> 404`);
        } else {
          assert.match(res.json().error, /^(operation|entry)_not_found$/);
        }
      }
    }
  });

  test('no route is served that the document does not describe', () => {
    const documented = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const m of Object.keys(methods)) {
        documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    const served = app
      .printRoutes({ commonPrefix: false, method: undefined } as never)
      .split('\n')
      .filter((l) => l.trim() !== '');
    assert.ok(served.length > 0);
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const p of [
        '/livez',
        '/metrics',
        '/api/events/health',
        '/api/events/dlq',
        '/api/events/dlq/retry',
        '/api/events/dlq/purge',
        '/api/events/dlq/stop',
        '/api/events/dlq/operations/:operationId',
      ]) {
        if (app.hasRoute({ method: m as 'GET', url: p })) {
          assert.ok(documented.has(`${m} ${p}`), `${m} ${p} is served but not in openapi.yaml`);
        }
      }
    }
  });

  test('the service validates bodies with the schemas of the document', () => {
    const retry = schema('RetryRequest') as {
      oneOf: Array<{ additionalProperties: boolean; properties: Record<string, unknown> }>;
    };
    assert.equal(retry.oneOf.length, 2);
    assert.ok(retry.oneOf.every((b) => b.additionalProperties === false));
    assert.deepEqual(Object.keys(retry.oneOf[1].properties).sort(), [
      'dryRun',
      'failureClass',
      'max',
      'stream',
      'type',
      'upToId',
    ]);
    const purge = schema('PurgeRequest') as { oneOf: Array<{ required: string[] }> };
    assert.ok(purge.oneOf.every((b) => b.required.includes('confirm')));
  });
});
