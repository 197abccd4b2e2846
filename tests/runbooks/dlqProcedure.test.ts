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
  let stack: EventBusStack;
  let proxy: RunningProxy;
  let shell: Shell;
  let blocks: string[];
  let paymentIds: string[];

  before(async () => {
    stack = await startEventBusStack();
    proxy = await startGrafanaProxy({
      pluginJson,
      jsonData: { eventBusUrl: stack.serviceUrl },
      secureJsonData: { eventBusToken: stack.token },
      users: { [ADMIN_TOKEN]: { login: 'oncall-admin', role: 'Admin' } },
    });

    await stack.seed(
      '{events}:orders',
      Array.from({ length: 12 }, (_, i) => JSON.stringify({ orderId: `A-${i}`, amount: -1 }))
    );
    paymentIds = await stack.seed('{events}:payments', [
      '{"paymentId":"P-1"}',
      '{"paymentId":"P-2"}',
      '{"paymentId":"P-3"}',
    ]);

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
  const dlqIds = async () =>
    ((await stack.redis.sendCommand(['XRANGE', DLQ_STREAM, '-', '+'])) as Array<[string, string[]]>).map(([id]) => id);

  it('has the seven executed blocks in the order inspect, dry run, retry, verify, purge', () => {
    assert.equal(blocks.length, 7);
    assert.match(blocks[0], /\/api\/events\/health/);
    assert.match(blocks[1], /\/api\/events\/dlq\?/);
    assert.match(blocks[2], /dryRun: true/);
    assert.match(blocks[3], /Idempotency-Key/);
    assert.match(blocks[4], /\/dlq\/operations\/\$OPERATION_ID/);
    assert.match(blocks[6], /\/dlq\/purge/);
  });

  it('checks health: the DLQ holds what was seeded, by origin stream', async () => {
    const health = JSON.parse(await shell.run(blocks[0]));
    assert.equal(health.dlq.length, 15);
    assert.deepEqual(health.dlq.byStream, { '{events}:orders': 12, '{events}:payments': 3 });
  });

  it('inspects the orders entries and keeps the snapshot id', async () => {
    const output = await shell.run(blocks[1]);
    assert.match(output, /^total=12 snapshotId=\S+ nextCursor=/m);
    assert.equal(output.match(/^\d+-\d+\torder\.created\tattempts=\d+\t/gm)?.length, 12);
    assert.match(output, /"errorClass": "ValidationError"/);
    assert.match(output, /^SNAPSHOT_ID=\d+-\d+$/m);
  });

  it('dry-runs the retry without moving anything', async () => {
    const dryRun = JSON.parse(await shell.run(blocks[2]));
    assert.equal(dryRun.retried, 12);
    assert.equal(await xlen('{events}:dlq'), 15);
  });

  it('retries the orders entries up to the snapshot, leaving the payments entries', async () => {
    const output = await shell.run(blocks[3]);
    const result = JSON.parse(output.slice(0, output.lastIndexOf('OPERATION_ID=')));
    assert.equal(result.outcome, 'ok');
    assert.equal(result.retried, 12);
    assert.match(output, /^OPERATION_ID=\S+$/m);
    assert.equal(await xlen('{events}:orders'), 12);
    assert.deepEqual(await dlqIds(), paymentIds);
  });

  it('verifies the operation, with the Grafana user as its actor', async () => {
    const operation = JSON.parse(await shell.run(blocks[4]));
    assert.equal(operation.action, 'retry');
    assert.equal(operation.retried, 12);
    assert.equal(operation.refailed, 0);
    assert.equal(operation.actor, 'oncall-admin');
  });

  it('purges only up to the last entry the operator read, never a later arrival', async () => {
    const refailed = Array.from({ length: 4 }, (_, i) => JSON.stringify({ orderId: `B-${i}` }));
    const readIds = await stack.seed('{events}:orders', refailed);

    const listing = await shell.run(blocks[5]);
    assert.match(listing, /^total=4$/m);
    assert.match(listing, new RegExp(`^PURGE_UP_TO=${readIds[3]}$`, 'm'));

    const [lateArrival] = await stack.seed('{events}:orders', ['{"orderId":"C-0"}']);
    const purge = JSON.parse(await shell.run(blocks[6]));
    assert.equal(purge.purged, 4);
    assert.deepEqual(await dlqIds(), [...paymentIds, lateArrival]);
  });
});
