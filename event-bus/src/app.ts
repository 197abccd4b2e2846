import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';

import type { Config } from './config';
import { badRequest, HttpError, validationError } from './errors';
import { idProblem } from './ids';
import { Metrics } from './metrics';
import { loadOpenApi, resolveSchema, schema, type JsonSchema } from './openapi';
import { ConflictError, OperationRunner, type Action, type MutationRequest, type MutationResult } from './operations';
import { connectInBackground, KEYS, makeRedisClient, type RedisClient } from './redis';
import { RedisUnavailableError, Store } from './store';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Use this client instead of creating one from config.redisUrl (the app then does not close it). */
  redis?: RedisClient;
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    runner: OperationRunner;
    redis: RedisClient;
    metrics: Metrics;
    /** Stops accepting work: new requests get 503, the running operation stops after its current batch. */
    drain(): Promise<void>;
  }
  interface FastifyContextConfig {
    isPublic?: boolean;
  }
}

const BODY_LIMIT = 1024 * 1024;

const ROUTES: Array<{ pattern: RegExp; methods: string[] }> = [
  { pattern: /^\/livez$/, methods: ['GET', 'HEAD'] },
  { pattern: /^\/metrics$/, methods: ['GET', 'HEAD'] },
  { pattern: /^\/api\/events\/health$/, methods: ['GET', 'HEAD'] },
  { pattern: /^\/api\/events\/dlq$/, methods: ['GET', 'HEAD'] },
  { pattern: /^\/api\/events\/dlq\/retry$/, methods: ['POST'] },
  { pattern: /^\/api\/events\/dlq\/purge$/, methods: ['POST'] },
  { pattern: /^\/api\/events\/dlq\/operations\/[^/]+$/, methods: ['GET', 'HEAD'] },
];

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** What a refused body may still send before the 413 goes out regardless: 16 MiB, or 10 s. */
const DRAIN_MAX_BYTES = 16 * BODY_LIMIT;
const DRAIN_MAX_MS = 10_000;

/** Reads and drops what is left of a request's body, until it ends or the bounds above are reached. */
function drainRequest(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', finish).off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) {
        finish();
      }
    };
    const timer = setTimeout(finish, DRAIN_MAX_MS);
    raw.on('data', onData).once('end', finish).once('close', finish);
    raw.resume();
  });
}

/**
 * Compares digests so neither the length nor the content of a token leaks through timing; every accepted token is
 * compared, whichever matches, so the time does not tell which one did either.
 */
function tokenMatches(header: string | undefined, accepted: Buffer[]): boolean {
  const m = /^Bearer ([^\s]+)\s*$/i.exec(header ?? '');
  const given = sha256(m ? m[1] : '');
  const matches = accepted.map((expected) => timingSafeEqual(given, expected));
  return m !== null && matches.includes(true);
}

/**
 * The Grafana user, for audit only (never for authorisation). Grafana's plugin proxy always sends
 * `X-Grafana-Context`: `json.Marshal` of its signed-in user, whose Go fields carry no json tags, so the keys are
 * `Login`, `Name`, `Email`, `IsAnonymous`... (test/fixtures/x-grafana-context.json). `X-Grafana-User` comes only
 * when Grafana is set to send it (and Grafana removes one a browser sent), so it is the fallback.
 */
export function actorOf(headers: FastifyRequest['headers']): string {
  const clean = (s: string) => s.replace(/[^\x20-\x7E]/g, '').slice(0, 200);
  const ctx = headers['x-grafana-context'];
  if (typeof ctx === 'string') {
    try {
      const user = JSON.parse(ctx) as Record<string, unknown>;
      for (const key of ['Login', 'Name', 'Email']) {
        const value = user[key];
        if (typeof value === 'string' && clean(value) !== '') {
          return clean(value);
        }
      }
      if (user.IsAnonymous === true) {
        return 'anonymous';
      }
    } catch {
      // A malformed header is not worth failing the request over; fall through.
    }
  }
  const user = headers['x-grafana-user'];
  return typeof user === 'string' && clean(user) !== '' ? clean(user) : 'unknown';
}

/**
 * Mutating routes validate strictly (no coercion, no removal of unknown fields). For a oneOf body the branch is
 * chosen by the keys that tell the branches apart, so errors name the real problem instead of "must match
 * exactly one schema".
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

export function buildApp(config: Config, options: BuildOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Errors raised before routing (bad percent-encoding, say) get the same shape and never echo the URL.
    frameworkErrors: (_err, _req, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ error: 'invalid_request', message: 'The URL is not valid (check its percent-encoding).' });
    },
  });
  // Fastify parses text/plain by default; the API speaks JSON only, so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  const ownsClient = !options.redis;
  const client = options.redis ?? makeRedisClient(config.redisUrl, { disableOfflineQueue: true });
  const store = new Store(client, config, app.log);
  const runner = new OperationRunner(client, config);
  const metrics = new Metrics(client, config);
  const acceptedTokens = [config.token, ...(config.previousToken ? [config.previousToken] : [])].map(sha256);
  let draining = false;

  app.decorate('store', store);
  app.decorate('runner', runner);
  app.decorate('redis', client);
  app.decorate('metrics', metrics);
  app.decorate('drain', async () => {
    draining = true;
    await runner.stop();
  });

  const onReady = () => {
    store
      .checkDataLoss()
      .catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'data-loss check failed'));
  };
  client.on('ready', onReady);
  if (client.isReady) {
    onReady();
  } else if (ownsClient) {
    connectInBackground(client);
  }
  app.addHook('onClose', async () => {
    client.off('ready', onReady);
    if (ownsClient && client.isOpen) {
      await client.close().catch(() => client.destroy());
    } else if (ownsClient) {
      client.destroy();
    }
  });

  const strictAjv = new Ajv({
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    allErrors: false,
    strict: false,
  });
  // Query strings are text by nature: coerce them, but still reject unknown parameters.
  const queryAjv = new Ajv({
    coerceTypes: true,
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  app.setValidatorCompiler(({ schema: s, httpPart }) =>
    httpPart === 'body' ? makeBodyValidator(strictAjv, s as JsonSchema) : queryAjv.compile(s as JsonSchema)
  );
  const idempotencyKeyValid = strictAjv.compile(schema('IdempotencyKey'));

  app.setErrorHandler(
    (
      err: Error & { statusCode?: number; code?: string; validation?: ErrorObject[]; validationContext?: string },
      req,
      reply
    ) => {
      if (err instanceof HttpError) {
        return reply.code(err.statusCode).send(err.body);
      }
      if (err.validation) {
        const context = err.validationContext ?? 'request';
        const first = err.validation[0];
        if (first?.keyword === 'oneOf') {
          const names = String((first.params as { names?: string }).names ?? '');
          const e = badRequest(`Send exactly one of ${names} (not both, not neither).`, 'body');
          return reply.code(400).send(e.body);
        }
        const e = validationError(context === 'querystring' ? 'query' : context, err.validation);
        return reply.code(400).send(e.body);
      }
      if (err instanceof RedisUnavailableError || err.constructor?.name?.startsWith('Client')) {
        return reply
          .code(503)
          .send({ error: 'redis_unavailable', message: 'Redis is not reachable; try again when health reports "ok".' });
      }
      switch (err.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return reply
            .code(415)
            .send({ error: 'unsupported_media_type', message: 'Send the body as application/json.' });
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          // Fastify refuses the body from its Content-Length before reading it. Answering while the client is still
          // sending lets the connection close under it, and the client sees a broken pipe instead of the 413; so
          // the rest of the body is read and dropped first, within bounds.
          return drainRequest(req.raw).then(() =>
            reply
              .code(413)
              .send({ error: 'body_too_large', message: 'The body is larger than 1 MiB; send fewer IDs per request.' })
          );
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
          return reply.code(400).send({ error: 'invalid_request', message: 'The JSON body is empty.', field: 'body' });
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          return reply.code(400).send({ error: 'invalid_request', message: 'Content-Length does not match the body.' });
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        // JSON syntax errors and __proto__ keys land here; Fastify's wording is fine but never echoes input.
        const message =
          err.statusCode === 400
            ? 'The body is not valid JSON (or uses a forbidden key such as __proto__).'
            : 'The request was rejected.';
        return reply.code(err.statusCode).send({ error: 'invalid_request', message, field: 'body' });
      }
      req.log.error({ err }, 'unhandled error');
      if (!client.isReady) {
        return reply
          .code(503)
          .send({ error: 'redis_unavailable', message: 'Redis is not reachable; try again when health reports "ok".' });
      }
      return reply
        .code(500)
        .send({ error: 'internal_error', message: 'The service hit an unexpected error; see its log.' });
    }
  );

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (route) {
      return reply
        .code(405)
        .header('allow', route.methods.join(', '))
        .send({
          error: 'method_not_allowed',
          message: `${req.method} is not allowed here; use ${route.methods.join(' or ')}.`,
        });
    }
    return reply.code(404).send({ error: 'not_found', message: 'No such endpoint; see openapi.yaml for the API.' });
  });

  app.addHook('onRequest', async (req, reply) => {
    if (draining) {
      reply.header('connection', 'close');
      return reply
        .code(503)
        .send({ error: 'shutting_down', message: 'The service is shutting down; try again shortly.' });
    }
    if (req.routeOptions.config?.isPublic) {
      return;
    }
    if (!tokenMatches(req.headers.authorization, acceptedTokens)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        error: 'unauthorized',
        message: 'Missing or wrong bearer token; check the app configuration in Grafana.',
      });
    }
  });

  // Request counts and latency by route template (never by ID), for the service's own dashboards and alerts (401s).
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched' };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/livez', { config: { isPublic: true } }, async () => ({ status: 'ok' }));

  app.get('/metrics', { config: { isPublic: true } }, async (_req, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/api/events/health', async (_req, reply) => {
    const { statusCode, body } = await store.health();
    return reply.code(statusCode).send(body);
  });

  const doc = loadOpenApi();
  const listParams = (doc.paths['/api/events/dlq'].get as { parameters: Array<{ name: string; schema: JsonSchema }> })
    .parameters;
  const querystring = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(listParams.map((p) => [p.name, resolveSchema(p.schema, doc)])),
  };

  app.get<{ Querystring: { limit: number; after?: string; stream?: string; q?: string } }>(
    '/api/events/dlq',
    { schema: { querystring } },
    async (req) => {
      if (req.query.after !== undefined) {
        const problem = idProblem(req.query.after, 'after');
        if (problem) {
          throw badRequest(problem, 'after');
        }
      }
      return store.list({
        limit: req.query.limit ?? 50,
        after: req.query.after,
        stream: req.query.stream,
        q: req.query.q,
      });
    }
  );

  app.get<{ Params: { operationId: string } }>(
    '/api/events/dlq/operations/:operationId',
    {
      schema: {
        params: { type: 'object', required: ['operationId'], properties: { operationId: schema('OperationId') } },
      },
    },
    async (req, reply) => {
      const op = await store.operation(req.params.operationId);
      if (!op) {
        return reply.code(404).send({
          error: 'operation_not_found',
          message: 'No such operation: it never existed, was a dry run, or its record expired.',
        });
      }
      return op;
    }
  );

  const mutation = (action: Action) => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as { ids?: string[]; upToId?: string; stream?: string; max?: number; dryRun?: boolean };
    // Semantics JSON Schema cannot say: ranges of both halves, 0-0 and future IDs.
    if (body.ids) {
      for (let i = 0; i < body.ids.length; i++) {
        const problem = idProblem(body.ids[i], `ids[${i}]`);
        if (problem) {
          throw badRequest(problem, `ids[${i}]`);
        }
      }
    }
    if (body.upToId !== undefined) {
      const problem = idProblem(body.upToId, 'upToId');
      if (problem) {
        throw badRequest(problem, 'upToId');
      }
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !idempotencyKeyValid(key))) {
      throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters.', 'Idempotency-Key');
    }
    if (!client.isReady) {
      throw new HttpError(503, {
        error: 'redis_unavailable',
        message: 'Redis is not reachable; nothing was changed. Try again when health reports "ok".',
      });
    }
    const actor = actorOf(req.headers);
    const request: MutationRequest = {
      action,
      actor,
      ids: body.ids,
      upToId: body.upToId,
      stream: body.stream,
      max: body.max,
      dryRun: body.dryRun,
    };

    let idemKey: string | null = null;
    const bodyHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (typeof key === 'string') {
      idemKey = KEYS.idempotency(createHash('sha256').update(`${action}\n${key}`).digest('hex'));
      const claimed = await client.sendCommand([
        'SET',
        idemKey,
        JSON.stringify({ state: 'running', bodyHash }),
        'NX',
        'EX',
        // Short, so a request lost with its process does not block the key for a day.
        String(Math.min(600, config.idempotencyTtlSeconds)),
      ]);
      if (claimed === null) {
        const stored = JSON.parse(String((await client.sendCommand(['GET', idemKey])) ?? '{}')) as {
          state?: string;
          bodyHash?: string;
          statusCode?: number;
          response?: unknown;
        };
        if (stored.bodyHash !== undefined && stored.bodyHash !== bodyHash) {
          throw new HttpError(409, {
            error: 'idempotency_key_reused',
            message: 'This Idempotency-Key was used for a different request; use a new key.',
          });
        }
        if (stored.state === 'done') {
          return reply
            .code(stored.statusCode ?? 200)
            .header('idempotent-replayed', 'true')
            .send(stored.response);
        }
        throw new HttpError(409, {
          error: 'idempotency_in_progress',
          message: 'The first request with this Idempotency-Key is still running; re-read the DLQ in a moment.',
        });
      }
    }

    let result: MutationResult;
    try {
      result = await runner.run(request);
    } catch (err) {
      if (idemKey) {
        await client.sendCommand(['DEL', idemKey]).catch(() => undefined);
      }
      if (err instanceof ConflictError) {
        throw new HttpError(409, {
          error: 'operation_in_progress',
          message: 'Another retry or purge on this DLQ is running; wait for it to finish, then re-read the DLQ.',
        });
      }
      throw err;
    }
    const countField = action === 'retry' ? 'retried' : 'purged';
    let statusCode = 200;
    let response: Record<string, unknown>;
    if (result.outcome === 'ok') {
      response = {
        operationId: result.operationId,
        outcome: 'ok',
        [countField]: result.done,
        skipped: result.skipped,
        remaining: result.remaining ?? 0,
        upToId: result.upToId,
      };
      if (request.dryRun) {
        response.dryRun = true;
      }
      if (result.invalid > 0) {
        response.invalid = result.invalidEntries;
        response.invalidCount = result.invalid;
      }
    } else if (result.outcome === 'partial') {
      statusCode = 503;
      response = {
        error: 'shutting_down',
        message: `The service is shutting down and stopped after ${result.done} entries; re-read the DLQ and repeat: repeating is safe.`,
        operationId: result.operationId,
        outcome: 'partial',
        [countField]: result.done,
        skipped: result.skipped,
      };
    } else if (result.redisErrorReply) {
      // Redis answered, with an error: not an outage, and a repeat would meet the same error.
      statusCode = 500;
      response = {
        error: 'redis_error',
        message: `Redis refused the ${action} with an error (the service log has it); ${result.done} entries were done before that. Do not repeat until the cause is fixed; the operation's record shows what was done.`,
        operationId: result.operationId,
        outcome: 'unknown',
        [countField]: result.done,
        skipped: result.skipped,
      };
    } else {
      statusCode = 503;
      response = {
        error: 'redis_unavailable',
        message: `Redis failed during the ${action}; ${result.done} entries were done before that and the last batch may or may not have been. Re-read the DLQ and repeat: repeating is safe.`,
        operationId: result.operationId,
        outcome: 'unknown',
        [countField]: result.done,
        skipped: result.skipped,
      };
    }
    if (!request.dryRun) {
      (action === 'retry' ? metrics.retried : metrics.purged).inc(result.done);
      metrics.duration.observe({ operation: action, outcome: result.outcome }, result.durationMs / 1000);
    }
    req.log.info(
      {
        audit: {
          action,
          operationId: result.operationId,
          actor,
          params: {
            idsCount: body.ids?.length,
            ids: body.ids?.slice(0, 20),
            upToId: body.upToId,
            effectiveUpToId: result.upToId,
            stream: body.stream,
            max: body.max,
            dryRun: body.dryRun === true,
            idempotencyKey: typeof key === 'string',
          },
          counts: {
            [countField]: result.done,
            skipped: result.skipped,
            invalid: result.invalid,
            remaining: result.remaining,
            batches: result.batches,
          },
          outcome: result.outcome,
          durationMs: result.durationMs,
          ...(result.error ? { redisError: result.error } : {}),
        },
      },
      `audit dlq.${action}`
    );
    if (idemKey) {
      if (result.outcome === 'ok') {
        await client
          .sendCommand([
            'SET',
            idemKey,
            JSON.stringify({ state: 'done', bodyHash, statusCode, response }),
            'EX',
            String(config.idempotencyTtlSeconds),
          ])
          .catch(() => undefined);
      } else {
        // Let a repeat run again: it is safe, and it is how an operator finishes the job.
        await client.sendCommand(['DEL', idemKey]).catch(() => undefined);
      }
    }
    return reply.code(statusCode).send(response);
  };

  app.post('/api/events/dlq/retry', { schema: { body: schema('RetryRequest') } }, mutation('retry'));
  app.post('/api/events/dlq/purge', { schema: { body: schema('PurgeRequest') } }, mutation('purge'));

  return app;
}
