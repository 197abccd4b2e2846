import { check } from './checks';
import type { Client } from './client';

/** Bodies, content types and methods the API refuses, each with the Error shape. */
export async function badRequestChecks(api: Client): Promise<void> {
  const { auth, call, postJson, expectError } = api;
  const badBodies: Array<[string, unknown]> = [
    ['an ID that is not a stream ID', { ids: ['abc'] }],
    ['an ID past 2^64', { ids: ['18446744073709551616-0'] }],
    ['the special ID "+"', { upToId: '+' }],
    ['0-0', { upToId: '0-0' }],
    ['a future ID', { upToId: `${Date.now() + 86_400_000}-0` }],
    ['both ids and upToId', { ids: ['1-1'], upToId: '1-1' }],
    ['neither ids nor upToId', { dryRun: true }],
    ['an unknown field', { ids: ['1-1'], force: true }],
    ['max as a string', { upToId: '1-1', max: '5' }],
    ['max 0', { upToId: '1-1', max: 0 }],
    ['duplicate IDs', { ids: ['1-1', '1-1'] }],
    ['1,001 IDs', { ids: Array.from({ length: 1001 }, (_, i) => `1-${i + 1}`) }],
    ['an array body', []],
  ];
  for (const [label, body] of badBodies) {
    await check(`POST /api/events/dlq/retry with ${label} is 400`, async () => {
      expectError(await postJson('/api/events/dlq/retry', body), [400], label);
    });
  }
  await check('POST /api/events/dlq/retry with a non-JSON content type is 415', async () => {
    expectError(
      await call('POST', '/api/events/dlq/retry', {
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'ids=1-1',
      }),
      [415],
      'text/plain'
    );
  });
  await check('POST /api/events/dlq/retry with invalid JSON is 400', async () => {
    expectError(
      await call('POST', '/api/events/dlq/retry', {
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"ids":',
      }),
      [400],
      'invalid JSON'
    );
  });
  await check('POST /api/events/dlq/retry with a body over 1 MiB is 413', async () => {
    expectError(await postJson('/api/events/dlq/retry', { ids: ['1'.repeat(1_100_000)] }), [413], 'big body');
  });
  await check('DELETE /api/events/dlq is refused (405 or 404)', async () => {
    expectError(await call('DELETE', '/api/events/dlq', { headers: auth }), [404, 405], 'DELETE');
  });
}
