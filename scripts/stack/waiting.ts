import { spawnSync } from 'node:child_process';
import net from 'node:net';

// Waiting for the stack's parts: free ports to start them on, and polling until each answers.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true, for at most `timeoutMs`; throws with `what` otherwise. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) {
        return;
      }
    } catch {
      // not yet
    }
    if (Date.now() > until) {
      throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(everyMs);
  }
}

export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}

export function requireBinary(name: string, hint: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`${name} is not on PATH; ${hint}`);
  }
}
