import { randomUUID } from 'node:crypto';

import { check, expect, expectSchema } from './checks';
import type { Client } from './client';

/** The public endpoints (no token) and the 401s of the others. */
export async function publicAndAuthChecks(api: Client): Promise<void> {
  const { call, expectError, token } = api;
  await check('GET /livez answers 200 without a token', async () => {
    const res = await call('GET', '/livez');
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('Livez', res.json);
  });

  await check('GET /metrics exposes the documented metric families without a token', async () => {
    const res = await call('GET', '/metrics');
    expect(res.status === 200, `got ${res.status}`);
    for (const name of [
      'eventbus_dlq_length',
      'eventbus_dlq_oldest_entry_age_seconds',
      'eventbus_stream_length',
      'eventbus_stream_group_lag',
      'eventbus_stream_group_messages_pending',
      'eventbus_dlq_dead_lettered_total',
      'eventbus_dlq_retried_messages_total',
      'eventbus_dlq_purged_messages_total',
      'eventbus_dlq_operation_duration_seconds',
      'eventbus_redis_up',
    ]) {
      expect(new RegExp(`^# TYPE ${name} `, 'm').test(res.text), `missing # TYPE ${name}`);
    }
  });

  for (const [label, headers] of [
    ['no token', {}],
    ['a wrong token', { authorization: `Bearer ${randomUUID()}` }],
    ['the token without Bearer', { authorization: token }],
  ] as Array<[string, Record<string, string>]>) {
    await check(`GET /api/events/health with ${label} is 401`, async () => {
      expectError(await call('GET', '/api/events/health', { headers }), [401], label);
    });
  }
  await check('POST /api/events/dlq/retry without a token is 401', async () => {
    expectError(
      await call('POST', '/api/events/dlq/retry', {
        headers: { 'content-type': 'application/json' },
        body: '{"ids":["1-1"]}',
      }),
      [401],
      'no token'
    );
  });
}
