import { check, expect, expectSchema } from './checks';
import type { Client } from './client';
import type { State } from './state';

/** Health, the DLQ listing and its failure groups: shapes, order, and the 400s of bad query strings. */
export async function readChecks(api: Client, state: State): Promise<void> {
  const { auth, call, expectError } = api;
  await check('GET /api/events/health matches Health; 200 unless status is down', async () => {
    const res = await call('GET', '/api/events/health', { headers: auth });
    expect(res.status === 200 || res.status === 503, `got ${res.status}`);
    expectSchema('Health', res.json);
    const status = res.json.status as string;
    expect((res.status === 503) === (status === 'down'), `HTTP ${res.status} with status ${status}`);
    const dlq = res.json.dlq as { length: number } | undefined;
    state.dlqLength = dlq ? dlq.length : null;
  });

  await check('GET /api/events/dlq pages oldest first with a cursor', async () => {
    const res = await call('GET', '/api/events/dlq?limit=5', { headers: auth });
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('DlqPage', res.json);
    const entries = res.json.entries as Array<{ id: string }>;
    expect(entries.length <= 5, 'more entries than limit');
    state.snapshotId = res.json.snapshotId as string | null;
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

  await check('GET /api/events/dlq/groups matches DlqGroups: largest first, counts that add up', async () => {
    const res = await call('GET', '/api/events/dlq/groups?limit=500', { headers: auth });
    expect(res.status !== 404, 'no failure groups endpoint (GET /api/events/dlq/groups): the panel cannot triage');
    expect(res.status === 200, `got ${res.status}`);
    expectSchema('DlqGroups', res.json);
    const groups = res.json.groups as Array<{ count: number; stream: string; type: string; failureClass: string }>;
    const other = res.json.other as { count: number };
    state.largestGroup = groups[0] ?? null;
    expect(
      groups.every((g, i) => i === 0 || groups[i - 1].count >= g.count),
      'groups are not largest first'
    );
    const sum = groups.reduce((n, g) => n + g.count, other.count);
    expect(res.json.stale || sum === res.json.total, `groups add up to ${sum}, total is ${String(res.json.total)}`);
  });

  await check("GET /api/events/dlq with a group's stream, type and failureClass lists that group alone", async () => {
    const group = state.largestGroup;
    if (!group) {
      return;
    }
    const params = new URLSearchParams({
      stream: group.stream,
      type: group.type,
      failureClass: group.failureClass,
      limit: '50',
    });
    const res = await call('GET', `/api/events/dlq?${params.toString()}`, { headers: auth });
    expect(res.status === 200, `got ${res.status}: the panel cannot open a failure group's entries`);
    expectSchema('DlqPage', res.json);
    const entries = res.json.entries as Array<{ stream: string; type: string }>;
    expect(
      entries.every((e) => e.stream === group.stream && e.type === group.type),
      "an entry of another stream or type is listed in the group's page"
    );
    expect(res.json.total === group.count, `total ${String(res.json.total)} is not the group's count ${group.count}`);
    expect(entries.length === Math.min(group.count, 50), `${entries.length} entries listed of ${group.count}`);
  });

  await check('GET /api/events/dlq with failureClass but no type is 400', async () => {
    const params = new URLSearchParams({ stream: '{events}:orders', failureClass: 'Error' });
    expectError(await call('GET', `/api/events/dlq?${params.toString()}`, { headers: auth }), [400], 'half a group');
  });

  for (const [label, query] of [
    ['groups?limit=0', 'groups?limit=0'],
    ['groups?limit=501', 'groups?limit=501'],
    ['groups?stream=', 'groups?stream='],
  ]) {
    await check(`GET /api/events/dlq/${label} is 400`, async () => {
      expectError(await call('GET', `/api/events/dlq/${query}`, { headers: auth }), [400], label);
    });
  }

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
}
