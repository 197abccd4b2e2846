import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import fp from 'fastify-plugin';

import type { JsonSchema } from '../openapi';

/** Bodies validate strictly: no coercion, no removal of unknown fields, no defaults. */
export function strictAjv(): Ajv {
  return new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, strict: false });
}

/**
 * For a oneOf body the branch is chosen by the keys that tell the branches apart, so errors name the real problem
 * instead of "must match exactly one schema".
 */
function makeBodyValidator(ajv: Ajv, s: JsonSchema): ValidateFunction {
  const branches = s.oneOf as JsonSchema[] | undefined;
  if (!branches) {
    return ajv.compile(s);
  }
  const required = branches.map((b) => (b.required as string[]) ?? []);
  const common = required.reduce((a, b) => a.filter((k) => b.includes(k)));
  const discriminators = required.map((r) => r.filter((k) => !common.includes(k)));
  const compiled = branches.map((b) => ajv.compile(b));
  const names = discriminators.map((d) => d.join(' + ')).join(' or ');
  const validate = ((data: unknown) => {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      validate.errors = [
        { keyword: 'type', instancePath: '', schemaPath: '#', params: { type: 'object' } } as ErrorObject,
      ];
      return false;
    }
    const matching = discriminators
      .map((d, i) => (d.every((k) => Object.prototype.hasOwnProperty.call(data, k)) ? i : -1))
      .filter((i) => i >= 0);
    if (matching.length !== 1) {
      validate.errors = [
        { keyword: 'oneOf', instancePath: '', schemaPath: '#/oneOf', params: { names }, message: '' } as ErrorObject,
      ];
      return false;
    }
    const ok = compiled[matching[0]](data);
    validate.errors = ok ? null : compiled[matching[0]].errors;
    return ok;
  }) as ValidateFunction;
  return validate;
}

/** Route schemas compile with Ajv: bodies strictly, query strings (text by nature) with coercion. */
export const validation = fp(
  async (app) => {
    const bodies = strictAjv();
    // Query strings are text by nature: coerce them, but still reject unknown parameters.
    const queries = new Ajv({
      coerceTypes: true,
      removeAdditional: false,
      useDefaults: true,
      allErrors: false,
      strict: false,
    });
    app.setValidatorCompiler(({ schema: s, httpPart }) =>
      httpPart === 'body' ? makeBodyValidator(bodies, s as JsonSchema) : queries.compile(s as JsonSchema)
    );
  },
  { name: 'validation' }
);
