// Runs the DLQ runbook's executed code blocks (```bash exec) in one bash shell, in order, as an operator would copy
// them: against the reference event-bus service on a real redis-server, through the stand-in for Grafana's proxy
// with plugin.json's routes and roles. What the blocks print and what they do to Redis are both checked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pluginJson from '../../plugin.json';
import { extractCodeBlocks, splitFrontMatter } from '../../src/runbooks/markdown';
import { RunningProxy, startGrafanaProxy } from '../harness/grafanaProxy';
import { DLQ_STREAM, EventBusStack, startEventBusStack } from '../harness/services';
import { Shell } from './shell';

const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN_TOKEN = 'dlq-procedure-admin';

describe('runbooks/dlq-management.md, executed', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlq-procedure-'));
  const TIMEOUT_CLASS = 'TimeoutError: upstream "<s>" did not answer within <n> ms';
  const VALIDATION_CLASS = 'ValidationError: amount must be positive';
  let stack: EventBusStack;
  let proxy: RunningProxy;
  let shell: Shell;
  /** The runbook without its front matter, and its executed blocks in order. */
  let body: string;
  let blocks: string[];
  /** The orders entries of the transient group, which the runbook retries; seeded in two runs around the others. */
  let timeoutIds: string[];
  let validationIds: string[];
  let paymentIds: string[];

  before(async () => {
    stack = await startEventBusStack();
    proxy = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: stack.serviceUrl },
      secureJsonData: { eventBusToken: stack.token },
      users: { [ADMIN_TOKEN]: { login: 'oncall-admin', role: 'Admin' } },
    });

    // {events}:orders: one transient class (two reasons that differ only in masked values) around a poison class,
    // so a retry of the whole stream up to the snapshot would take the poison too. {events}:payments: the same
    // transient class under another stream and type, so only the group's full filter keeps it out.
    const orders = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => JSON.stringify({ orderId: `A-${from + i}`, amount: 10 }));
    const pricingTimeouts = await stack.seed('{events}:orders', orders(0, 7), {
      type: 'order.created',
      reason: 'TimeoutError: upstream "pricing" did not answer within 5000 ms',
    });
    validationIds = await stack.seed(
      '{events}:orders',
      [JSON.stringify({ orderId: 'A-7', amount: -1 }), JSON.stringify({ orderId: 'A-8', amount: -5 })],
      { type: 'order.created', reason: VALIDATION_CLASS }
    );
    const inventoryTimeouts = await stack.seed('{events}:orders', orders(9, 5), {
      type: 'order.created',
      reason: 'TimeoutError: upstream "inventory" did not answer within 3000 ms',
    });
    timeoutIds = [...pricingTimeouts, ...inventoryTimeouts];
    paymentIds = await stack.seed(
      '{events}:payments',
      ['{"paymentId":"P-1"}', '{"paymentId":"P-2"}', '{"paymentId":"P-3"}'],
      { type: 'payment.captured', reason: 'TimeoutError: upstream "ledger" did not answer within 5000 ms' }
    );

    ({ body } = splitFrontMatter(fs.readFileSync(path.join(ROOT, 'runbooks', 'dlq-management.md'), 'utf8')));
    blocks = extractCodeBlocks(body)
      .filter((block) => block.info === 'bash exec')
      .map((block) => block.content);
    shell = new Shell({
      PATH: process.env.PATH,
      HOME: tmp,
      TMPDIR: tmp,
      GRAFANA_URL: proxy.url,
      GRAFANA_SA_TOKEN: ADMIN_TOKEN,
    });
  });

  after(async () => {
    shell?.close();
    await proxy?.close();
    await stack?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const xlen = async (key: string) => Number(await stack.redis.sendCommand(['XLEN', key]));
  const xrange = async (key: string) =>
    ((await stack.redis.sendCommand(['XRANGE', key, '-', '+'])) as Array<[string, string[]]>).map(([id, fields]) => {
      const entry: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) {
        entry[fields[i]] = fields[i + 1];
      }
      return { id, entry };
    });
  const dlqIds = async () => (await xrange(DLQ_STREAM)).map(({ id }) => id);
  /** The pretty-printed JSON a block prints after its text lines. */
  const jsonIn = (output: string) => JSON.parse(output.slice(output.search(/^\{$/m)));

  /** The time in a stream ID, as the service prints it. */
  const at = (id: string) => new Date(Number(id.split('-')[0])).toISOString();
  let lateArrival: string;

  it('has the twelve executed blocks, in the order the procedure runs them', () => {
    assert.equal(blocks.length, 12);
    assert.match(blocks[0], /\/api\/events\/health/);
    assert.match(blocks[1], /\/api\/events\/dlq\/groups\?limit=/);
    assert.match(blocks[2], /^STREAM=/m);
    assert.match(blocks[3], /\/api\/events\/dlq\/groups\?stream=\$STREAM_URI/);
    assert.match(blocks[4], /\/api\/events\/dlq\?limit=50&stream=\$STREAM_URI/);
    assert.match(blocks[5], /^FAILURE_GROUP=/m);
    assert.match(blocks[6], /^SEARCH=/m);
    assert.match(blocks[7], /dryRun: true/);
    assert.match(blocks[8], /Idempotency-Key/);
    assert.match(blocks[9], /\/dlq\/operations\/\$OPERATION_ID/);
    assert.match(blocks[10], /\/api\/events\/dlq\?/);
    assert.match(blocks[11], /\/dlq\/purge/);
  });

  it('names the stream once, and makes every Idempotency-Key where uuidgen may be missing', () => {
    const shellBlocks = extractCodeBlocks(body)
      .filter((block) => /^bash\b/.test(block.info))
      .map((block) => block.content);
    assert.deepEqual(
      shellBlocks.filter((block) => block.includes('{events}:')),
      [blocks[2]]
    );
    const uuidgens = shellBlocks.join('\n').match(/uuidgen[^)]*\)/g) ?? [];
    assert.ok(uuidgens.length >= 4);
    assert.ok(uuidgens.every((call) => call === 'uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid)'));
  });

  it('checks health: the DLQ holds what was seeded, by origin stream', async () => {
    const health = JSON.parse(await shell.run(blocks[0]));
    assert.equal(health.dlq.length, 17);
    assert.deepEqual(health.dlq.byStream, { '{events}:orders': 14, '{events}:payments': 3 });
  });

  it('finds the oldest entries of the whole DLQ, with their streams, for the alert that has no stream label', async () => {
    const output = await shell.run(blocks[1]);
    assert.match(output, /^total=17 stale=false other=0 entries in 0 groups$/m);
    assert.deepEqual(
      output
        .split('\n')
        .filter((line) => line.startsWith('oldest='))
        .map((line) => line.split('\t')),
      [
        [`oldest=${at(timeoutIds[0])}`, '{events}:orders', '12', 'order.created', TIMEOUT_CLASS],
        [`oldest=${at(validationIds[0])}`, '{events}:orders', '2', 'order.created', VALIDATION_CLASS],
        [`oldest=${at(paymentIds[0])}`, '{events}:payments', '3', 'payment.captured', TIMEOUT_CLASS],
      ]
    );
  });

  it('sets the stream once, and its URL form', async () => {
    await shell.run(blocks[2]);
    assert.equal(await shell.run('echo "$STREAM $STREAM_URI"'), '{events}:orders %7Bevents%7D%3Aorders\n');
  });

  it('reads the failure groups of the stream, largest first, and keeps their snapshot id', async () => {
    const output = await shell.run(blocks[3]);
    const newest = paymentIds[paymentIds.length - 1];
    assert.match(output, new RegExp(`^total=14 stale=false snapshotId=${newest} other=0 entries in 0 groups$`, 'm'));
    const groups = output.split('\n').filter((line) => line.startsWith('#'));
    assert.deepEqual(
      groups.map((line) => line.split('\t')),
      [
        [
          '#1',
          '12',
          'order.created',
          TIMEOUT_CLASS,
          `oldest=${at(timeoutIds[0])}`,
          `newest=${at(timeoutIds[11])}`,
          'TimeoutError: upstream "pricing" did not answer within 5000 ms',
        ],
        [
          '#2',
          '2',
          'order.created',
          VALIDATION_CLASS,
          `oldest=${at(validationIds[0])}`,
          `newest=${at(validationIds[1])}`,
          VALIDATION_CLASS,
        ],
      ]
    );
    assert.match(output, new RegExp(`^SNAPSHOT_ID=${newest}$`, 'm'));
    assert.doesNotMatch(output, /nothing to do/);
  });

  it('lists the entries of the stream', async () => {
    const output = await shell.run(blocks[4]);
    assert.match(output, /^total=14 snapshotId=\S+ nextCursor=null$/m);
    assert.equal(output.match(/^\d+-\d+\torder\.created\tattempts=\d+\t\S+\tretryOf=-\t/gm)?.length, 14);
    assert.match(output, /\tValidationError: amount must be positive$/m);
  });

  it("lists the entries of group #1 only, with the group's count as total", async () => {
    const output = await shell.run(blocks[5]);
    assert.match(output, /^group #1: total=12 listed=12 nextCursor=null$/m);
    const listed = output.split('\n').filter((line) => /^\d+-\d+\t/.test(line));
    assert.deepEqual(
      listed.map((line) => line.split('\t')[0]),
      timeoutIds
    );
    assert.ok(listed.every((line) => /\tretryOf=-\tTimeoutError: upstream "(pricing|inventory)"/.test(line)));
  });

  it('searches the payloads too, and counts its matches, not the listing total', async () => {
    const output = await shell.run(blocks[6]);
    const matches = output.split('\n').filter((line) => /^\d+-\d+\t/.test(line));
    assert.equal(matches.length, 1);
    assert.deepEqual(matches[0].split('\t').slice(0, 2), [validationIds[0], 'order.created']);
    assert.match(matches[0], /\t\{"orderId":"A-7","amount":-1\}$/);
    assert.match(output, /^matches=1 in 14 entries of \{events\}:orders read$/m);
    assert.equal(await xlen(DLQ_STREAM), 17);
  });

  it('dry-runs the retry of group #1, counting only its entries and moving nothing', async () => {
    const output = await shell.run(blocks[7]);
    assert.match(
      output,
      new RegExp(
        `^Group #1: 12 order\\.created entries of \\{events\\}:orders failing with ${TIMEOUT_CLASS}, up to ${
          paymentIds[paymentIds.length - 1]
        }$`,
        'm'
      )
    );
    const dryRun = jsonIn(output);
    assert.equal(dryRun.dryRun, true);
    assert.equal(dryRun.retried, 12);
    assert.equal(dryRun.skipped, 0);
    assert.equal(dryRun.remaining, 17);
    assert.equal(await xlen(DLQ_STREAM), 17);
    assert.equal(await xlen('{events}:orders'), 0);
  });

  it('retries that group only: the poison orders and the payments stay in the DLQ; a repeat moves nothing', async () => {
    const output = await shell.run(blocks[8]);
    const result = JSON.parse(output.slice(0, output.lastIndexOf('OPERATION_ID=')));
    assert.equal(result.outcome, 'ok');
    assert.equal(result.retried, 12);
    assert.equal(result.remaining, 5);
    assert.match(output, new RegExp(`^OPERATION_ID=${result.operationId}$`, 'm'));

    assert.deepEqual(await dlqIds(), [...validationIds, ...paymentIds]);
    const retried = await xrange('{events}:orders');
    assert.deepEqual(
      retried.map(({ entry }) => entry.retryOf),
      timeoutIds
    );
    assert.ok(retried.every(({ entry }) => entry.type === 'order.created'));

    // "Run the same block again" after a timeout: the same key answers with the same operation, nothing moves twice.
    const repeat = await shell.run(blocks[8]);
    assert.match(repeat, new RegExp(`^OPERATION_ID=${result.operationId}$`, 'm'));
    assert.equal(await xlen('{events}:orders'), 12);
    assert.deepEqual(await dlqIds(), [...validationIds, ...paymentIds]);
  });

  it('verifies the operation the retry kept: the group it retried, with the Grafana user as its actor', async () => {
    const operation = JSON.parse(await shell.run(blocks[9]));
    assert.equal(operation.action, 'retry');
    assert.equal(operation.outcome, 'ok');
    assert.equal(operation.stream, '{events}:orders');
    assert.equal(operation.type, 'order.created');
    assert.equal(operation.failureClass, TIMEOUT_CLASS);
    assert.equal(operation.retried, 12);
    assert.equal(operation.refailed, 0);
    assert.equal(operation.actor, 'oncall-admin');
  });

  it('purges only up to the last entry the operator read, never a later arrival', async () => {
    const refailed = Array.from({ length: 4 }, (_, i) => JSON.stringify({ orderId: `B-${i}` }));
    const readIds = await stack.seed('{events}:orders', refailed);

    const listing = await shell.run(blocks[10]);
    assert.match(listing, /^total=6 listed=6$/m);
    assert.match(listing, new RegExp(`^PURGE_UP_TO=${readIds[3]}$`, 'm'));

    [lateArrival] = await stack.seed('{events}:orders', ['{"orderId":"C-0"}']);
    const purge = JSON.parse(await shell.run(blocks[11]));
    assert.equal(purge.purged, 6);
    assert.deepEqual(await dlqIds(), [...paymentIds, lateArrival]);
  });

  it('says a stream is clear by its total, while snapshotId still names the newest entry of the whole DLQ', async () => {
    await shell.run(blocks[2].replace("STREAM='{events}:orders'", "STREAM='{events}:notifications'"));
    const output = await shell.run(blocks[3]);
    assert.match(output, new RegExp(`^total=0 stale=false snapshotId=${lateArrival} `, 'm'));
    assert.match(output, new RegExp(`^SNAPSHOT_ID=${lateArrival}$`, 'm'));
    assert.match(output, /^No entry of \{events\}:notifications in the DLQ: nothing to do for this stream\.$/m);
    assert.deepEqual(await dlqIds(), [...paymentIds, lateArrival]);
  });
});
