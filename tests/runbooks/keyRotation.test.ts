// Runs the event-bus token rotation of runbooks/key-rotation.md (its ```bash exec blocks) in one bash shell, in
// order, as an operator would paste them: against the reference event-bus service on a real redis-server, and the
// stand-ins for Grafana's plugin proxy and app-settings API. The Kubernetes steps between them (secret update and
// rollout) cannot run here: the test does what the runbook's plain blocks there say, restarting the service with the
// environment the new secret gives it, and checks that those blocks say so.
//
// The service is started here rather than by tests/harness/services.ts `startEventBusStack`, which always starts it
// with one token: a rotation needs EVENT_BUS_TOKEN_PREVIOUS beside it, and a new EVENT_BUS_TOKEN on the same port.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pluginJson from '../../plugin.json';
import { extractCodeBlocks, splitFrontMatter } from '../../src/runbooks/markdown';
import { createGrafanaState, GrafanaState } from '../harness/api/state';
import { grafanaApiHandler } from '../harness/grafanaApi';
import { grafanaProxyHandler, ProxyUser, sendJson } from '../harness/grafanaProxy';
import { freePort } from '../harness/services';
import { Shell } from './shell';

const ROOT = path.resolve(__dirname, '..', '..');
const EVENT_BUS = path.join(ROOT, 'event-bus');
const ADMIN_TOKEN = 'key-rotation-admin';
const HEALTH = '/api/events/health';

interface RedisServerLike {
  readonly url: string;
  start(): Promise<void>;
  destroy(how?: 'stop' | 'kill9'): Promise<void>;
}
// The redis-server the service's own tests start, from its build (as tests/harness/services.ts uses it).
const { RedisServer } = require(path.join(EVENT_BUS, 'dist', 'redisServer.js')) as {
  RedisServer: new (options?: { dir?: string; output?: 'ignore' }) => RedisServerLike;
};

/** The built event-bus service on a fixed port, restarted with new tokens as a rollout of a new secret would. */
class EventBusService {
  /** Everything the service wrote (pino JSON lines at LOG_LEVEL=warn), across restarts. */
  log = '';
  private child?: ChildProcess;

  constructor(
    readonly url: string,
    private readonly port: number,
    private readonly redisUrl: string
  ) {}

  async start(tokens: { current: string; previous?: string }) {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      REDIS_URL: this.redisUrl,
      EVENT_BUS_TOKEN: tokens.current,
      LOG_LEVEL: 'warn',
    };
    if (tokens.previous !== undefined) {
      env.EVENT_BUS_TOKEN_PREVIOUS = tokens.previous;
    }
    const child = spawn(process.execPath, [path.join(EVENT_BUS, 'dist', 'server.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk) => (this.log += chunk));
    child.stderr?.on('data', (chunk) => (this.log += chunk));
    const deadline = Date.now() + 15_000;
    const isLive = async () => {
      try {
        return (await fetch(`${this.url}/livez`)).ok;
      } catch {
        return false;
      }
    };
    while (!(await isLive())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the event-bus service did not start (exit ${child.exitCode}):\n${this.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM, as Kubernetes stops the old pods of a rollout; SIGKILL if it has not exited within 10 s. */
  async stop() {
    const running = this.child;
    this.child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    await new Promise((resolve) => {
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      running.once('exit', () => resolve(clearTimeout(timer)));
      running.kill('SIGTERM');
    });
  }

  async restart(tokens: { current: string; previous?: string }) {
    await this.stop();
    await this.start(tokens);
  }
}

/** Grafana's app-settings API and plugin proxy on one server, sharing the app's settings as Grafana does. */
async function startGrafana(settings: GrafanaState, users: Record<string, ProxyUser>) {
  const api = grafanaApiHandler({ pluginJson, state: settings, users, dashboards: new Map() });
  const proxy = grafanaProxyHandler({
    pluginJson,
    jsonData: settings.jsonData,
    secureJsonData: settings.secureJsonData,
    users,
    isAppEnabled: () => settings.enabled,
  });
  const server = http.createServer(async (request, response) => {
    if ((request.url ?? '').startsWith('/api/plugin-proxy/')) {
      proxy(request, response);
    } else if (!(await api(request, response))) {
      sendJson(response, 404, { message: 'Not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('runbooks/key-rotation.md, event-bus token, executed', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'key-rotation-'));
  const workdir = path.join(tmp, 'rotation');
  const oldToken = `old-${randomBytes(24).toString('hex')}`;
  let redis: RedisServerLike;
  let service: EventBusService;
  let settings: GrafanaState;
  let grafana: { url: string; close: () => Promise<void> };
  let shell: Shell;
  /** The runbook's shell blocks in order, and the executed ones among them. */
  let shellBlocks: Array<{ info: string; content: string }>;
  let blocks: string[];
  let newToken: string;
  /** What the runbook's log check greps for: the service's warning when the previous token is used. */
  let previousTokenWarning: string;

  const warnings = () => service.log.split('\n').filter((line) => line.includes(previousTokenWarning)).length;
  const statusWith = async (token: string) =>
    (await fetch(`${service.url}${HEALTH}`, { headers: { authorization: `Bearer ${token}` } })).status;
  /** The plain blocks between the executed blocks `from` and `from + 1`: what the operator runs there. */
  const plainBetween = (from: number) => {
    const execs = shellBlocks.flatMap((block, index) => (block.info === 'bash exec' ? [index] : []));
    return shellBlocks
      .slice(execs[from] + 1, execs[from + 1])
      .map((block) => block.content)
      .join('\n');
  };
  /** Waits until the service has logged `count` warnings about the previous token (its log is written async). */
  const waitForWarnings = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (warnings() < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(warnings(), count);
  };

  before(async () => {
    const { body } = splitFrontMatter(fs.readFileSync(path.join(ROOT, 'runbooks', 'key-rotation.md'), 'utf8'));
    shellBlocks = extractCodeBlocks(body).filter((block) => /^bash\b/.test(block.info));
    blocks = shellBlocks.filter((block) => block.info === 'bash exec').map((block) => block.content);

    redis = new RedisServer({ dir: fs.mkdtempSync(path.join(tmp, 'redis-')), output: 'ignore' });
    await redis.start();
    const port = await freePort();
    service = new EventBusService(`http://127.0.0.1:${port}`, port, redis.url);
    await service.start({ current: oldToken });

    settings = createGrafanaState({
      jsonData: { eventBusUrl: service.url },
      secureJsonData: { eventBusToken: oldToken },
    });
    grafana = await startGrafana(settings, {
      [ADMIN_TOKEN]: { login: 'sa-1-rotation', role: 'Admin', kind: 'service-account' },
    });
    shell = new Shell({
      PATH: process.env.PATH,
      HOME: tmp,
      TMPDIR: tmp,
      GRAFANA_URL: grafana.url,
      GRAFANA_SA_TOKEN: ADMIN_TOKEN,
      EVENT_BUS_URL: service.url,
    });
  });

  after(async () => {
    shell?.close();
    await grafana?.close();
    await service?.stop();
    await redis?.destroy('kill9');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('has the seven executed blocks, in the order the rotation runs them', () => {
    assert.equal(blocks.length, 7);
    assert.match(blocks[0], /umask 077/);
    assert.match(blocks[0], /cd "\$HOME\/rotation"/);
    assert.match(blocks[1], /openssl rand -hex 32 \| tr -d '\\n' > event-bus-token\.new/);
    assert.match(blocks[2], /check_tokens\(\) \{/);
    assert.match(blocks[2], /"\$EVENT_BUS_URL\/api\/events\/health"/);
    assert.match(blocks[3], /-X POST/);
    assert.match(blocks[3], /\/api\/plugins\/opsdesk-runbooks-app\/settings"/);
    assert.match(blocks[4], /^\s*SWITCHED_AT=/m);
    assert.match(blocks[5], /\/api\/plugin-proxy\/opsdesk-runbooks-app\/api\/events\/health"/);
    assert.match(blocks[6], /^\s*check_tokens$/m);
  });

  it('says, in the plain blocks between, the deploys this test stands in for', () => {
    // Step 2: the old token read from the secret as it is, then both tokens deployed, then a rollout.
    const step2 = plainBetween(1);
    assert.match(step2, /jsonpath='\{\.data\.EVENT_BUS_TOKEN\}' \| base64 -d > event-bus-token\.old/);
    assert.match(step2, /--from-file=EVENT_BUS_TOKEN=event-bus-token\.new/);
    assert.match(step2, /--from-file=EVENT_BUS_TOKEN_PREVIOUS=event-bus-token\.old/);
    assert.match(step2, /roll_out event-bus/);
    // Steps 4 and 5: the log check for the previous token, then the key removed and a rollout.
    const step5 = plainBetween(5);
    const grep = /grep '([^']+)'/.exec(step5);
    assert.ok(grep, 'the log check of step 4');
    previousTokenWarning = grep[1];
    assert.match(step5, /--since-time="\$SWITCHED_AT"/);
    assert.match(step5, /"op": "remove", "path": "\/data\/EVENT_BUS_TOKEN_PREVIOUS"/);
    assert.match(step5, /roll_out event-bus/);
  });

  it('works in a folder only its owner can read', async () => {
    await shell.run(blocks[0]);
    assert.equal(fs.statSync(workdir).mode & 0o777, 0o700);
    assert.equal((await shell.run('pwd')).trim(), workdir);
  });

  it('step 1: generates 64 hex characters without a newline, in a file only its owner can read', async () => {
    assert.equal((await shell.run(blocks[1])).trim(), '64');
    const file = path.join(workdir, 'event-bus-token.new');
    newToken = fs.readFileSync(file, 'utf8');
    assert.match(newToken, /^[0-9a-f]{64}$/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('step 2: the service given both tokens accepts both, and Grafana still works with the old one', async () => {
    // What the plain block does: the current token read from the secret into a file (umask 077), both deployed.
    fs.writeFileSync(path.join(workdir, 'event-bus-token.old'), oldToken, { mode: 0o600 });
    await service.restart({ current: newToken, previous: oldToken });

    const output = await shell.run(blocks[2]);
    assert.equal(output, 'new token: accepted\nold token: accepted\nthrough Grafana: HTTP 200\n');
    // The direct call with the old token and Grafana's call both used the previous token, and the service said so.
    await waitForWarnings(2);
  });

  it('step 3: switches Grafana to the new token and keeps the app settings it does not change', async () => {
    const output = await shell.run(blocks[3]);
    assert.equal(output, '{"message":"Plugin settings updated"}\n');
    assert.equal(settings.secureJsonData.eventBusToken, newToken);
    assert.deepEqual(settings.jsonData, { eventBusUrl: service.url });
    assert.equal(settings.enabled, true);
    assert.equal(settings.pinned, true);

    await shell.run(blocks[4]);
    assert.match((await shell.run('echo "$SWITCHED_AT"')).trim(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('step 4: Grafana works with the new token, and nothing since the switch used the previous one', async () => {
    const before = warnings();
    assert.equal(await shell.run(blocks[5]), 'through Grafana: HTTP 200\n');
    // A direct call with the old token after Grafana's: its warning shows the log has caught up, and it is the only
    // new one, so Grafana's call did not use the previous token.
    assert.equal(await statusWith(oldToken), 200);
    await waitForWarnings(before + 1);
  });

  it('step 5: once the previous token is removed, the old token is refused and Grafana still works', async () => {
    const logFrom = service.log.length;
    await service.restart({ current: newToken });

    const output = await shell.run(blocks[6]);
    assert.equal(output, 'new token: accepted\nold token: refused (401)\nthrough Grafana: HTTP 200\n');
    assert.equal(await statusWith(oldToken), 401);
    assert.equal(await statusWith(newToken), 200);
    assert.doesNotMatch(service.log.slice(logFrom), /EVENT_BUS_TOKEN_PREVIOUS is set/);
  });
});
