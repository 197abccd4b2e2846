import { expect, expectSchema } from './checks';

// How the checks talk to the deployment: every call has a deadline and must never echo the token.

export type CallResult = { status: number; text: string; json: Record<string, unknown>; headers: Headers };

export interface Client {
  token: string;
  auth: { authorization: string };
  call: (
    method: string,
    path: string,
    opts?: { headers?: Record<string, string>; body?: string }
  ) => Promise<CallResult>;
  postJson: (path: string, body: unknown, headers?: Record<string, string>) => Promise<CallResult>;
  /** Fails unless the answer has one of `status`, the Error shape, and no Redis error or stack in its body. */
  expectError: (
    res: { status: number; json: Record<string, unknown>; text: string },
    status: number[],
    what: string
  ) => void;
}

export function makeClient(base: string, token: string, timeoutMs: number): Client {
  const auth = { authorization: `Bearer ${token}` };

  async function call(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string } = {}
  ): Promise<CallResult> {
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
  return { token, auth, call, postJson, expectError };
}
