import { createHash } from 'node:crypto';

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import type { Config } from '../config';
import { badRequest, HttpError } from '../errors';
import { actorOf } from '../http/actor';
import { ConcurrencyLimit } from '../http/limits';
import { strictAjv } from '../http/validation';
import { idProblem } from '../ids';
import { responseSchema, schema } from '../openapi';
import { ConflictError, type Action, type MutationRequest, type MutationResult } from '../operations';
import { KEYS, type RedisClient } from '../redis';
import { requestStop, type StopRequest } from '../stop';

interface MutationBody {
  ids?: string[];
  upToId?: string;
  stream?: string;
  type?: string;
  failureClass?: string;
  max?: number;
  dryRun?: boolean;
}

/** Semantics JSON Schema cannot say: ranges of both halves, 0-0 and future IDs. */
function checkIds(body: MutationBody): void {
  for (let i = 0; i < (body.ids?.length ?? 0); i++) {
    const problem = idProblem(body.ids![i], `ids[${i}]`);
    if (problem) {
      throw badRequest(problem, `ids[${i}]`);
    }
  }
  if (body.upToId !== undefined) {
    const problem = idProblem(body.upToId, 'upToId');
    if (problem) {
      throw badRequest(problem, 'upToId');
    }
  }
}

type StoredResponse = { statusCode: number; response: Record<string, unknown> };

/**
 * An Idempotency-Key claims a Redis key for the request: a repeat with the same body replays the stored answer, a
 * different body or a repeat while the first still runs gets 409.
 */
class Idempotency {
  constructor(
    private readonly client: RedisClient,
    private readonly config: Config,
    private readonly key: string,
    private readonly bodyHash: string
  ) {}

  /** Claims the key; returns the stored answer when this request already ran. */
  async claim(): Promise<StoredResponse | null> {
    const claimed = await this.client.sendCommand([
      'SET',
      this.key,
      JSON.stringify({ state: 'running', bodyHash: this.bodyHash }),
      'NX',
      'EX',
      // Short, so a request lost with its process does not block the key for a day.
      String(Math.min(600, this.config.idempotencyTtlSeconds)),
    ]);
    if (claimed !== null) {
      return null;
    }
    const stored = JSON.parse((await this.client.sendCommand<string | null>(['GET', this.key])) ?? '{}') as {
      state?: string;
      bodyHash?: string;
      statusCode?: number;
      response?: Record<string, unknown>;
    };
    if (stored.bodyHash !== undefined && stored.bodyHash !== this.bodyHash) {
      throw new HttpError(409, {
        error: 'idempotency_key_reused',
        message: 'This Idempotency-Key was used for a different request; use a new key.',
      });
    }
    if (stored.state === 'done') {
      return { statusCode: stored.statusCode ?? 200, response: stored.response ?? {} };
    }
    throw new HttpError(409, {
      error: 'idempotency_in_progress',
      message: 'The first request with this Idempotency-Key is still running; re-read the DLQ in a moment.',
    });
  }

  /**
   * Stores a complete answer for replay; anything else frees the key so a repeat runs again (after a stop, the
   * repeat carries on from where the operation stopped).
   */
  async finish(outcome: MutationResult['outcome'] | 'failed', answer?: StoredResponse): Promise<void> {
    if (outcome === 'ok' && answer) {
      await this.client
        .sendCommand([
          'SET',
          this.key,
          JSON.stringify({ state: 'done', bodyHash: this.bodyHash, ...answer }),
          'EX',
          String(this.config.idempotencyTtlSeconds),
        ])
        .catch(() => undefined);
    } else {
      // Let a repeat run again: it is safe, and it is how an operator finishes the job.
      await this.client.sendCommand(['DEL', this.key]).catch(() => undefined);
    }
  }
}

/** The answer for each outcome: a complete run, or one an operator stopped, is a 200. */
function answerOf(action: Action, request: MutationRequest, result: MutationResult): StoredResponse {
  const countField = action === 'retry' ? 'retried' : 'purged';
  const counts = (outcome: string) => ({
    operationId: result.operationId,
    outcome,
    [countField]: result.done,
    skipped: result.skipped,
  });
  if (result.outcome === 'ok' || result.outcome === 'stopped') {
    // A stopped operation answers like a complete one: its counts are exact and `remaining` says what is left.
    const response: Record<string, unknown> = {
      operationId: result.operationId,
      outcome: result.outcome,
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
    return { statusCode: 200, response };
  }
  if (result.outcome === 'partial') {
    return {
      statusCode: 503,
      response: {
        error: 'shutting_down',
        message: `The service is shutting down and stopped after ${result.done} entries; re-read the DLQ and repeat: repeating is safe.`,
        ...counts('partial'),
      },
    };
  }
  if (result.redisErrorReply) {
    // Redis answered, with an error: not an outage, and a repeat would meet the same error.
    return {
      statusCode: 500,
      response: {
        error: 'redis_error',
        message: `Redis refused the ${action} with an error (the service log has it); ${result.done} entries were done before that. Do not repeat until the cause is fixed; the operation's record shows what was done.`,
        ...counts('unknown'),
      },
    };
  }
  return {
    statusCode: 503,
    response: {
      error: 'redis_unavailable',
      message: `Redis failed during the ${action}; ${result.done} entries were done before that and the last batch may or may not have been. Re-read the DLQ and repeat: repeating is safe.`,
      ...counts('unknown'),
    },
  };
}

/** One structured log line per operation, for the audit trail: who, what was asked, what was done. */
function audit(req: FastifyRequest, action: Action, actor: string, body: MutationBody, result: MutationResult) {
  const countField = action === 'retry' ? 'retried' : 'purged';
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
          type: body.type,
          failureClass: body.failureClass,
          max: body.max,
          dryRun: body.dryRun === true,
          idempotencyKey: typeof req.headers['idempotency-key'] === 'string',
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
}

/** One log line per stop request: who asked, when the stop in force was asked for, and what it stops. */
function auditStop(req: FastifyRequest, actor: string, stop: StopRequest) {
  req.log.info(
    {
      audit: {
        action: 'stop',
        actor,
        stopRequestedAt: stop.stopRequestedAt,
        newRequest: stop.isNew,
        operations: stop.operations.map(({ operationId, action, actor: startedBy }) => ({
          operationId,
          action,
          actor: startedBy,
        })),
      },
    },
    'audit dlq.stop'
  );
}

/** Retry and purge: validated, optionally idempotent, one at a time, audited. Stop: their brake, audited. */
export const mutationRoutes: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const idempotencyKeyValid = strictAjv().compile(schema('IdempotencyKey'));
  // Dry runs read the whole range and take no lock; this bounds how many run beside the one real operation.
  const dryRuns = new ConcurrencyLimit(2, 'dry runs are');

  const mutation = (action: Action) => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as MutationBody;
    checkIds(body);
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !idempotencyKeyValid(key))) {
      throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters.', 'Idempotency-Key');
    }
    if (!app.redis.isReady) {
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
      type: body.type,
      failureClass: body.failureClass,
      max: body.max,
      dryRun: body.dryRun,
    };
    if (body.type !== undefined || body.failureClass !== undefined) {
      const groups = await app.store.matchingGroups({
        stream: body.stream,
        type: body.type,
        failureClass: body.failureClass,
      });
      if (!groups) {
        throw new HttpError(409, {
          error: 'index_stale',
          message:
            'Entries were written to or deleted from the DLQ behind the service; its failure groups are being recounted. Nothing was changed: try again in a few seconds.',
        });
      }
      request.groups = groups;
    }

    let idempotency: Idempotency | null = null;
    if (typeof key === 'string') {
      const bodyHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const redisKey = KEYS.idempotency(createHash('sha256').update(`${action}\n${key}`).digest('hex'));
      idempotency = new Idempotency(app.redis, config, redisKey, bodyHash);
      const replay = await idempotency.claim();
      if (replay) {
        return reply.code(replay.statusCode).header('idempotent-replayed', 'true').send(replay.response);
      }
    }

    let result: MutationResult;
    try {
      result = await (request.dryRun ? dryRuns.run(() => app.runner.run(request)) : app.runner.run(request));
    } catch (err) {
      if (!request.dryRun) {
        app.store.invalidateHealth();
      }
      await idempotency?.finish('failed');
      if (err instanceof ConflictError) {
        throw new HttpError(409, {
          error: 'operation_in_progress',
          message: 'Another retry or purge on this DLQ is running; wait for it to finish, then re-read the DLQ.',
        });
      }
      throw err;
    }
    const answer = answerOf(action, request, result);
    if (!request.dryRun) {
      app.store.invalidateHealth();
      (action === 'retry' ? app.metrics.retried : app.metrics.purged).inc(result.done);
      app.metrics.duration.observe({ operation: action, outcome: result.outcome }, result.durationMs / 1000);
    }
    audit(req, action, actor, body, result);
    await idempotency?.finish(result.outcome, answer);
    return reply.code(answer.statusCode).send(answer.response);
  };

  // Only the 200s are serialised by their schemas; error bodies stay plain JSON (a 500 is not in openapi.yaml).
  for (const action of ['retry', 'purge'] as const) {
    const path = `/api/events/dlq/${action}`;
    const body = schema(action === 'retry' ? 'RetryRequest' : 'PurgeRequest');
    app.post(path, { schema: { body, response: { 200: responseSchema(path, 'post', '200') } } }, mutation(action));
  }

  // The stop takes no parameters. Grafana's backend service labels every POST application/json, with or without a
  // body, so in this scope an empty JSON body counts as no body; anything else is parsed as everywhere else.
  const stopBodyValid = strictAjv().compile(schema('StopRequest'));
  await app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) =>
      text === '' ? done(null, undefined) : parseJson(req, String(text), done)
    );
    const path = '/api/events/dlq/stop';
    scope.post(path, { schema: { response: { 200: responseSchema(path, 'post', '200') } } }, async (req, reply) => {
      if (req.body !== undefined && !stopBodyValid(req.body)) {
        throw badRequest('The stop takes no parameters: send no body, or {}.', 'body');
      }
      if (!app.redis.isReady) {
        throw new HttpError(503, {
          error: 'redis_unavailable',
          message:
            'Redis is not reachable; no stop was requested. A running retry or purge cannot move entries while it is down either.',
        });
      }
      const actor = actorOf(req.headers);
      const stop = await requestStop(app.redis);
      auditStop(req, actor, stop);
      return reply.code(200).send({ stopRequestedAt: stop.stopRequestedAt, operations: stop.operations });
    });
  });
};
