import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

// openapi.yaml is the single description of the API: request validation and the contract suite both take their
// JSON schemas from it, with local $refs inlined so Ajv sees plain JSON Schema.

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; responses?: Record<string, unknown> };
}

export const OPENAPI_PATH = join(__dirname, '..', 'openapi.yaml');

let cached: OpenApiDoc | null = null;

export function loadOpenApi(path = OPENAPI_PATH): OpenApiDoc {
  if (!cached || path !== OPENAPI_PATH) {
    const doc = parse(readFileSync(path, 'utf8')) as OpenApiDoc;
    if (path !== OPENAPI_PATH) {
      return doc;
    }
    cached = doc;
  }
  return cached;
}

function resolve(doc: OpenApiDoc, node: unknown, depth: number): unknown {
  if (depth > 30) {
    throw new Error('openapi.yaml: $ref nesting too deep');
  }
  if (Array.isArray(node)) {
    return node.map((n) => resolve(doc, n, depth + 1));
  }
  if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string') {
      const m = /^#\/components\/schemas\/(.+)$/.exec(obj.$ref);
      if (!m || !doc.components.schemas[m[1]]) {
        throw new Error(`openapi.yaml: unresolvable $ref ${obj.$ref}`);
      }
      return resolve(doc, doc.components.schemas[m[1]], depth + 1);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      // Annotations that are not validation keywords in Ajv's draft.
      if (k === 'description' || k === 'example') {
        continue;
      }
      out[k] = resolve(doc, v, depth + 1);
    }
    return out;
  }
  return node;
}

/** Any schema object of the document (a parameter's, say) with every local $ref inlined. */
export function resolveSchema(node: unknown, doc = loadOpenApi()): JsonSchema {
  return resolve(doc, node, 0) as JsonSchema;
}

/** A component schema with every local $ref inlined. */
export function schema(name: string, doc = loadOpenApi()): JsonSchema {
  const s = doc.components.schemas[name];
  if (!s) {
    throw new Error(`openapi.yaml has no components.schemas.${name}`);
  }
  return resolve(doc, s, 0) as JsonSchema;
}

/**
 * The application/json schema openapi.yaml gives one operation's response with one status (`path` as written there,
 * `method` in lower case), with every local $ref inlined.
 */
export function responseSchema(path: string, method: string, status: string, doc = loadOpenApi()): JsonSchema {
  type Response = { $ref?: string; content?: Record<string, { schema?: unknown }> };
  let response = (doc.paths[path]?.[method] as { responses?: Record<string, Response> } | undefined)?.responses?.[
    status
  ];
  const ref = response?.$ref && /^#\/components\/responses\/(.+)$/.exec(response.$ref);
  if (ref) {
    response = doc.components.responses?.[ref[1]] as Response | undefined;
  }
  const s = response?.content?.['application/json']?.schema;
  if (!s) {
    throw new Error(`openapi.yaml has no application/json schema for ${method.toUpperCase()} ${path} ${status}`);
  }
  return resolveSchema(s, doc);
}
