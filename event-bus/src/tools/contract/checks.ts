import Ajv, { type ValidateFunction } from 'ajv';

import { schema } from '../../openapi';

// The contract suite's runner: each check is named, runs on its own, and records ok, failed (with why) or skipped.

export interface Result {
  name: string;
  ok: boolean | 'skipped';
  detail?: string;
}

export const results: Result[] = [];
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

export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) {
    throw new CheckError(message);
  }
}

export function expectSchema(name: string, body: unknown): void {
  const v = validator(name);
  if (!v(body)) {
    throw new CheckError(`response does not match ${name}: ${ajv.errorsText(v.errors)}`);
  }
}

export async function check(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (err) {
    results.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
  }
}

export function skip(name: string, detail: string): void {
  results.push({ name, ok: 'skipped', detail });
}
