import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import Ajv, { type ValidateFunction } from 'ajv';

import { schema } from './openapi';

// Contract suite: checks any deployment of the event-bus DLQ API against openapi.yaml and the behaviour the panel
// relies on. Non-destructive by default: it sends no purge at all and only retries an ID that cannot be in a
// real DLQ (1-1, from 1970) or dry runs. `--allow-mutations` adds purge checks, again only of that ID.

interface Result {
  name: string;
  ok: boolean | 'skipped';
  detail?: string;
}

const results: Result[] = [];
const ajv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true });
const validators = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(schema(name));
    validators.set(name, v);
  }
  return v;
}

class CheckError extends Error {}

function expect(cond: unknown, message: string): asserts cond {
  if (!cond) {
    throw new CheckError(message);
  }
}

function expectSchema(name: string, body: unknown): void {
  const v = validator(name);
  if (!v(body)) {
    throw new CheckError(`response does not match ${name}: ${ajv.errorsText(v.errors)}`);
  }
}

async function check(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (err) {
    results.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
  }
}

function skip(name: string, detail: string): void {
  results.push({ name, ok: 'skipped', detail });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'allow-mutations': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10000' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.url || !values.token) {
    process.stdout.write(
      'usage: npm run contract -- --url http://host:8080 --token TOKEN [--allow-mutations] [--timeout 10000]\n'
    );
    process.exit(values.help ? 0 : 2);
  }
  const base = values.url.replace(/\/+$/, '');
  const token = values.token;
  const timeoutMs = Number(values.timeout);
  const auth = { authorization: `Bearer ${token}` };

  async function call(method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: opts.headers,
      body: opts.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON; checks that need JSON say so
    }
    expect(!text.includes(token), `${method} ${path} echoed the token`);
    return { status: res.status, text, json: json as Record<string, unknown>, headers: res.headers };
  }
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call('POST', path, {
      headers: { ...auth, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const expectError = (
    res: { status: number; json: Record<string, unknown>; text: string },
    status: number[],
    what: string
  ) => {
    expect(
      status.includes(res.status),
      `${what}: expected ${status.join('/')}, got ${res.status}: ${res.text.slice(0, 200)}`
    );
    expectSchema('Error', res.json);
    expect(!/\bERR\b|WRONGTYPE|NOSCRIPT|\n\s+at /.test(res.text), `${what}: body leaks a Redis error or a stack`);
  };

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

  let dlqLength: number | null = null;
  await check('GET /api/events/health matches Health; 200 unless status is down', async () => {
    const res = await call('GET', '/api/events/health', { headers: auth });
    expect(res.status === 200 || res.status === 503, `got ${res.status}`);
    expectSchema('Health', res.json);
    const status = res.json.status as string;
    expect((res.status === 503) === (status === 'down'), `HTTP ${res.status} with status ${status}`);
    const dlq = res.json.dlq as { length: number } | undefined;
    dlqLength = dlq ? dlq.length : null;
  });

  let snapshotId: string | null = null;
  await check('GET /api/events/dlq pages oldest first with a cursor', async () => {
    const res = await call('GET', '/api/events/dlq?limit=5', { headers: auth });
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('DlqPage', res.json);
    const entries = res.json.entries as Array<{ id: string }>;
    expect(entries.length <= 5, 'more entries than limit');
    snapshotId = res.json.snapshotId as string | null;
    const next = res.json.nextCursor as string | null;
    if (next) {
      const page2 = await call('GET', `/api/events/dlq?limit=5&after=${encodeURIComponent(next)}`, { headers: auth });
      expect(page2.status === 200, `page 2: ${page2.status}`);
      expectSchema('DlqPage', page2.json);
      const ids = [...entries, ...(page2.json.entries as Array<{ id: string }>)].map((e) => e.id);
      expect(new Set(ids).size === ids.length, 'an entry appears on two pages');
      const key = (id: string) =>
        id
          .split('-')
          .map((p) => p.padStart(20, '0'))
          .join('-');
      expect(
        ids.every((id, i) => i === 0 || key(ids[i - 1]) < key(id)),
        'entries are not oldest first'
      );
    }
  });

  for (const [label, query] of [
    ['limit=0', 'limit=0'],
    ['limit=501', 'limit=501'],
    ['limit=1.5', 'limit=1.5'],
    ['limit=abc', 'limit=abc'],
    ['after=abc', 'after=abc'],
    ['after=0-0', 'after=0-0'],
  ]) {
    await check(`GET /api/events/dlq?${label} is 400`, async () => {
      expectError(await call('GET', `/api/events/dlq?${query}`, { headers: auth }), [400], label);
    });
  }

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

  await check('POST /api/events/dlq/retry dryRun counts without moving anything', async () => {
    const upToId = snapshotId ?? '1-1';
    const res = await postJson('/api/events/dlq/retry', { upToId, dryRun: true });
    expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
    expectSchema('RetryResult', res.json);
    const after = await call('GET', '/api/events/health', { headers: auth });
    const len = (after.json.dlq as { length: number } | undefined)?.length ?? null;
    // Other traffic may add entries; a dry run must never remove any.
    expect(dlqLength === null || len === null || len >= dlqLength, `DLQ shrank from ${dlqLength} to ${len}`);
  });

  let operationId: string | null = null;
  await check('POST /api/events/dlq/retry of an ID not in the DLQ skips it (not an error)', async () => {
    const res = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'x-grafana-user': 'contract-suite' });
    expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
    expectSchema('RetryResult', res.json);
    expect(
      res.json.retried === 0 && res.json.skipped === 1,
      `retried ${res.json.retried}, skipped ${res.json.skipped}`
    );
    operationId = res.json.operationId as string;
  });

  await check('GET /api/events/dlq/operations/<id> returns the operation (verify)', async () => {
    expect(operationId, 'no operation from the previous check');
    const res = await call('GET', `/api/events/dlq/operations/${operationId}`, { headers: auth });
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('Operation', res.json);
    expect(res.json.action === 'retry' && res.json.retried === 0, 'wrong action or count');
  });

  await check('GET /api/events/dlq/operations/<unknown> is 404', async () => {
    expectError(
      await call('GET', '/api/events/dlq/operations/op_0000000000ZZZZZZZZZZ', { headers: auth }),
      [404],
      'unknown op'
    );
  });

  await check('Idempotency-Key: a repeated request returns the first response', async () => {
    const key = `contract-${randomUUID()}`;
    const a = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'idempotency-key': key });
    const b = await postJson('/api/events/dlq/retry', { ids: ['1-1'] }, { 'idempotency-key': key });
    expect(a.status === 200 && b.status === 200, `got ${a.status}, ${b.status}`);
    expect(a.json.operationId === b.json.operationId, 'the repeat ran a new operation');
  });

  if (values['allow-mutations']) {
    await check('POST /api/events/dlq/purge without confirm is 400', async () => {
      expectError(await postJson('/api/events/dlq/purge', { ids: ['1-1'] }), [400], 'no confirm');
    });
    await check('POST /api/events/dlq/purge of an ID not in the DLQ purges nothing', async () => {
      const res = await postJson(
        '/api/events/dlq/purge',
        { confirm: 'purge', ids: ['1-1'] },
        { 'x-grafana-user': 'contract-suite' }
      );
      expect(res.status === 200, `got ${res.status}: ${res.text.slice(0, 200)}`);
      expectSchema('PurgeResult', res.json);
      expect(res.json.purged === 0, `purged ${res.json.purged}`);
    });
  } else {
    skip('purge checks', 'refused without --allow-mutations');
  }

  let failed = 0;
  for (const r of results) {
    const mark = r.ok === true ? 'ok  ' : r.ok === 'skipped' ? 'skip' : 'FAIL';
    if (r.ok === false) {
      failed++;
    }
    process.stdout.write(`${mark} ${r.name}${r.detail ? ` -- ${r.detail}` : ''}\n`);
  }
  const passed = results.filter((r) => r.ok === true).length;
  const skipped = results.filter((r) => r.ok === 'skipped').length;
  process.stdout.write(`contract: ${passed} passed, ${failed} failed, ${skipped} skipped against ${base}\n`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`contract: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
