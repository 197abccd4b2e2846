// `npm run stack` (scripts/stack.ts) starts everything on the ports it was given (or free ones), says where, and SIGTERM stops it all.
// Needs redis-server, prometheus and the built event-bus service; skipped (saying why) without them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { it } from 'node:test';

import { freePort } from '../../scripts/stack/waiting';

const root = path.resolve(__dirname, '../..');
const missing = [
  ...['redis-server', 'prometheus'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0),
  ...(['server.js', 'tools/demo.js'].every((file) => fs.existsSync(path.join(root, 'event-bus/dist', file)))
    ? []
    : ['event-bus/dist (npm --prefix event-bus run build)']),
];

/** What these tests read of Prometheus's /api/v1/targets. */
interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

it(
  'starts on the configured ports, prints them, and stops everything on SIGTERM',
  { skip: missing.length > 0 && `missing: ${missing.join(', ')}`, timeout: 90_000 },
  async () => {
    const ports = { redis: await freePort(), eventBus: await freePort(), prometheus: await freePort() };
    // As `npm run stack` runs it (ts-node), without npm and npx in between: SIGTERM reaches the stack itself.
    const child = spawn(
      process.execPath,
      [
        '--require',
        'ts-node/register',
        'scripts/stack.ts',
        '--redis-port',
        String(ports.redis),
        '--event-bus-port',
        String(ports.eventBus),
        '--prometheus-port',
        String(ports.prometheus),
      ],
      // Its own process group, so a failed test can take down every process the stack started.
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true }
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const until = Date.now() + 60_000;
      while (!out.includes('Ctrl-C stops everything') && Date.now() < until && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(out, /stack: up/, out);
      assert.match(out, new RegExp(`redis://127\\.0\\.0\\.1:${ports.redis}`));
      assert.match(out, new RegExp(`event bus +http://127\\.0\\.0\\.1:${ports.eventBus}`));
      assert.match(out, new RegExp(`prometheus +http://127\\.0\\.0\\.1:${ports.prometheus}`));
      const livez = await fetch(`http://127.0.0.1:${ports.eventBus}/livez`);
      assert.equal(livez.status, 200);
      // Prometheus lists its targets shortly after it is ready.
      let targets: ActiveTarget[] = [];
      for (let i = 0; i < 50 && targets.length === 0; i++) {
        const body = (await (await fetch(`http://127.0.0.1:${ports.prometheus}/api/v1/targets`)).json()) as {
          data: { activeTargets: ActiveTarget[] };
        };
        targets = body.data.activeTargets;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(targets[0]?.labels.service, 'event-bus');
      assert.equal(targets[0]?.scrapeUrl, `http://127.0.0.1:${ports.eventBus}/metrics`);

      const started = Date.now();
      child.kill('SIGTERM');
      const { code } = await exited;
      assert.equal(code, 0, out);
      // Liveness, not speed: the stack sends each part SIGTERM and SIGKILL 10 s later, so past 15 s something
      // ignored even that. A clean stop takes about a second.
      assert.ok(Date.now() - started < 15_000, `stopped in ${Date.now() - started} ms, not within 15 s`);
      for (const port of Object.values(ports)) {
        assert.equal(await listening(port), false, `port ${port} still answers after the stack stopped`);
      }
    } finally {
      if (child.exitCode === null) {
        // A failed assertion before the SIGTERM: stop the stack as Ctrl-C would, then anything left in its group.
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // the group is gone already
        }
      }
    }
  }
);
