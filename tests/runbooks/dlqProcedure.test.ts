// Runs the DLQ runbook's executed code blocks (```bash exec) in one bash shell, in order, as an operator would copy
// them: against the reference event-bus service on a real redis-server, through the stand-in for Grafana's proxy
// with plugin.json's routes and roles. What the blocks print and what they do to Redis are both checked.
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pluginJson from '../../plugin.json';
import { extractCodeBlocks, splitFrontMatter } from '../../src/runbooks/markdown';
import { RunningProxy, startGrafanaProxy } from '../harness/grafanaProxy';
import { DLQ_STREAM, EventBusStack, startEventBusStack } from '../harness/services';

const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN_TOKEN = 'dlq-procedure-admin';

/** A bash process fed one block at a time, so the test can act between blocks while variables persist. */
class Shell {
  private output = '';
  private exited?: number | null;
  private readonly process: ChildProcessWithoutNullStreams;

  constructor(env: NodeJS.ProcessEnv) {
    this.process = spawn('bash', ['--noprofile', '--norc'], { env, cwd: os.tmpdir() });
    this.process.stdout.on('data', (chunk) => (this.output += chunk));
    this.process.stderr.on('data', (chunk) => (this.output += chunk));
    this.process.on('exit', (code) => (this.exited = code));
    this.process.stdin.write('set -euo pipefail\n');
  }

  async run(block: string, timeoutMs = 60_000): Promise<string> {
    const marker = `__block_done_${Math.random().toString(36).slice(2)}__`;
    const start = this.output.length;
    this.process.stdin.write(`${block}\necho ${marker}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(marker, start)) {
      if (this.exited !== undefined || Date.now() > deadline) {
        throw new Error(
          `block failed (exit ${this.exited ?? 'timeout'}):\n${block}\n--- output:\n${this.output.slice(start)}`
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.output.slice(start, this.output.indexOf(marker, start));
  }

  close() {
    this.process.kill('SIGKILL');
  }
}

describe('runbooks/dlq-management.md, executed', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlq-procedure-'));
  const TIMEOUT_CLASS = 'TimeoutError: upstream "<s>" did not answer within <n> ms';
  const VALIDATION_CLASS = 'ValidationError: amount must be positive';
  let stack: EventBusStack;
  let proxy: RunningProxy;
  let shell: Shell;
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

    const { body } = splitFrontMatter(fs.readFileSync(path.join(ROOT, 'runbooks', 'dlq-management.md'), 'utf8'));
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

  it('has the eight executed blocks in the order health, groups, entries, dry run, retry, verify, purge', () => {
    assert.equal(blocks.length, 8);
    assert.match(blocks[0], /\/api\/events\/health/);
    assert.match(blocks[1], /\/api\/events\/dlq\/groups\?/);
    assert.match(blocks[2], /\/api\/events\/dlq\?/);
    assert.match(blocks[3], /dryRun: true/);
    assert.match(blocks[4], /Idempotency-Key/);
    assert.match(blocks[5], /\/dlq\/operations\/\$OPERATION_ID/);
    assert.match(blocks[6], /\/api\/events\/dlq\?/);
    assert.match(blocks[7], /\/dlq\/purge/);
  });

  it('checks health: the DLQ holds what was seeded, by origin stream', async () => {
    const health = JSON.parse(await shell.run(blocks[0]));
    assert.equal(health.dlq.length, 17);
    assert.deepEqual(health.dlq.byStream, { '{events}:orders': 14, '{events}:payments': 3 });
  });

  it('reads the failure groups of orders, largest first, and keeps their snapshot id', async () => {
    const output = await shell.run(blocks[1]);
    const newest = paymentIds[paymentIds.length - 1];
    assert.match(output, new RegExp(`^total=14 stale=false snapshotId=${newest} other=0 entries in 0 groups$`, 'm'));
    const groups = output.split('\n').filter((line) => line.startsWith('#'));
    assert.equal(groups.length, 2);
    assert.deepEqual(
      groups.map((line) => line.split('\t')),
      [
        [
          '#1',
          '12',
          'order.created',
          TIMEOUT_CLASS,
          `oldest=${new Date(Number(timeoutIds[0].split('-')[0])).toISOString()}`,
          `newest=${new Date(Number(timeoutIds[11].split('-')[0])).toISOString()}`,
          'TimeoutError: upstream "pricing" did not answer within 5000 ms',
        ],
        [
          '#2',
          '2',
          'order.created',
          VALIDATION_CLASS,
          `oldest=${new Date(Number(validationIds[0].split('-')[0])).toISOString()}`,
          `newest=${new Date(Number(validationIds[1].split('-')[0])).toISOString()}`,
          VALIDATION_CLASS,
        ],
      ]
    );
    assert.match(output, new RegExp(`^SNAPSHOT_ID=${newest}$`, 'm'));
  });

  it('lists the orders entries themselves', async () => {
    const output = await shell.run(blocks[2]);
    assert.match(output, /^total=14 snapshotId=\S+ nextCursor=/m);
    assert.equal(output.match(/^\d+-\d+\torder\.created\tattempts=\d+\t\S+\tretryOf=-\t/gm)?.length, 14);
    assert.match(output, /\tValidationError: amount must be positive$/m);
  });

  it('dry-runs the retry of the largest group, counting only its entries and moving nothing', async () => {
    const output = await shell.run(blocks[3]);
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
    assert.equal(await xlen(DLQ_STREAM), 17);
    assert.equal(await xlen('{events}:orders'), 0);
  });

  it('retries that group only: the poison orders and the payments stay in the DLQ', async () => {
    const output = await shell.run(blocks[4]);
    const result = JSON.parse(output.slice(0, output.lastIndexOf('OPERATION_ID=')));
    assert.equal(result.outcome, 'ok');
    assert.equal(result.retried, 12);
    assert.equal(result.remaining, 5);
    assert.match(output, /^OPERATION_ID=\S+$/m);

    assert.deepEqual(await dlqIds(), [...validationIds, ...paymentIds]);
    const retried = await xrange('{events}:orders');
    assert.deepEqual(
      retried.map(({ entry }) => entry.retryOf),
      timeoutIds
    );
    assert.ok(retried.every(({ entry }) => entry.type === 'order.created'));
  });

  it('verifies the operation: the group it retried, with the Grafana user as its actor', async () => {
    const operation = JSON.parse(await shell.run(blocks[5]));
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

    const listing = await shell.run(blocks[6]);
    assert.match(listing, /^total=6$/m);
    assert.match(listing, new RegExp(`^PURGE_UP_TO=${readIds[3]}$`, 'm'));

    const [lateArrival] = await stack.seed('{events}:orders', ['{"orderId":"C-0"}']);
    const purge = JSON.parse(await shell.run(blocks[7]));
    assert.equal(purge.purged, 6);
    assert.deepEqual(await dlqIds(), [...paymentIds, lateArrival]);
  });
});
