import type { ErrorObject } from 'ajv';

// Error bodies are written for an operator: a stable code, one sentence, and the field at fault. They never carry
// a Redis error, a stack or the value that was sent (which may be huge or hostile).

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  [extra: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {}
  ) {
    super(body.message);
  }
}

/** Redis is not connected: the command was not sent. Answered 503 `redis_unavailable`. */
export class RedisUnavailableError extends Error {}

export function badRequest(message: string, field?: string): HttpError {
  return new HttpError(400, { error: 'invalid_request', message, ...(field ? { field } : {}) });
}

const ID_FIELDS = /(^|\.)(ids\[\d+\]|upToId|after)$/;

function short(value: unknown): string {
  const s = String(value);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function fieldName(context: string, instancePath: string): string {
  const parts = instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) {
    out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  }
  return out === '' ? context : out;
}

/** Turns the first relevant Ajv error into an operator sentence. */
export function validationError(context: string, errors: ErrorObject[]): HttpError {
  const err = errors[0];
  if (!err) {
    return badRequest('The request is not valid.');
  }
  const field = fieldName(context, err.instancePath);
  const p = err.params as Record<string, unknown>;
  let message: string;
  switch (err.keyword) {
    case 'additionalProperties':
      return badRequest(
        `${field === context ? 'The ' + context : field} has an unknown field "${short(p.additionalProperty)}"; remove it.`,
        field === context ? short(p.additionalProperty) : `${field}.${short(p.additionalProperty)}`
      );
    case 'required':
      return badRequest(
        `The ${field === context ? context : field} is missing "${short(p.missingProperty)}".`,
        String(p.missingProperty)
      );
    case 'type':
      message = `${field} must be of type ${String(p.type)}.`;
      break;
    case 'pattern':
      message = ID_FIELDS.test(field)
        ? `${field} must be a stream entry ID like 1764172800000-0.`
        : field === 'stream' || field.endsWith('.stream')
          ? `${field} must be a stream key like {events}:orders.`
          : `${field} has an invalid format.`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      message = `${field} must be ${String(p.comparison)} ${String(p.limit)}.`;
      break;
    case 'minItems':
      message = `${field} must hold at least ${String(p.limit)} item(s).`;
      break;
    case 'maxItems':
      message = `${field} must hold at most ${String(p.limit)} items; split the request.`;
      break;
    case 'uniqueItems':
      message = `${field} must not repeat an ID (items ${String(p.j)} and ${String(p.i)} are the same).`;
      break;
    case 'minLength':
    case 'maxLength':
      message = ID_FIELDS.test(field)
        ? `${field} must be a stream entry ID like 1764172800000-0.`
        : `${field} must be ${err.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters long.`;
      break;
    case 'const':
      message = `${field} must be exactly ${JSON.stringify(p.allowedValue)}.`;
      break;
    case 'enum':
      message = `${field} must be one of ${JSON.stringify(p.allowedValues)}.`;
      break;
    default:
      message = `${field} is not valid.`;
  }
  return badRequest(message, field);
}
