import type { FastifyPluginAsync } from 'fastify';

import { badRequest } from '../errors';
import { ConcurrencyLimit, READ_RATE } from '../http/limits';
import { idProblem } from '../ids';
import { loadOpenApi, resolveSchema, responseSchema, schema, type JsonSchema } from '../openapi';

/**
 * The DLQ listing, its failure groups, one entry's full payload and the record of one operation. Each is under the
 * per-user read rate and a concurrency limit (the groups share the listings').
 */
export const dlqRoutes: FastifyPluginAsync = async (app) => {
  const listings = new ConcurrencyLimit(4, 'listings are');
  const fullReads = new ConcurrencyLimit(2, 'full-payload reads are');
  const verifies = new ConcurrencyLimit(4, 'operation lookups are');

  const doc = loadOpenApi();
  const listParams = (doc.paths['/api/events/dlq'].get as { parameters: Array<{ name: string; schema: JsonSchema }> })
    .parameters;
  const querystring = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(listParams.map((p) => [p.name, resolveSchema(p.schema, doc)])),
  };

  app.get<{
    Querystring: { limit: number; after?: string; stream?: string; q?: string; type?: string; failureClass?: string };
  }>('/api/events/dlq', { schema: { querystring }, config: READ_RATE }, async (req) => {
    const { after, stream, type, failureClass } = req.query;
    if (after !== undefined) {
      const problem = idProblem(after, 'after');
      if (problem) {
        throw badRequest(problem, 'after');
      }
    }
    // A failure group is all three; half a group would be a filter the index cannot answer cheaply.
    const groupFields = [stream, type, failureClass].filter((v) => v !== undefined).length;
    if ((type !== undefined || failureClass !== undefined) && groupFields < 3) {
      throw badRequest(
        'type and failureClass select one failure group: give stream, type and failureClass together',
        type === undefined ? 'type' : failureClass === undefined ? 'failureClass' : 'stream'
      );
    }
    return listings.run(() =>
      app.store.list({ limit: req.query.limit ?? 50, after, stream, q: req.query.q, type, failureClass })
    );
  });

  const groupParams = (
    doc.paths['/api/events/dlq/groups'].get as { parameters: Array<{ name: string; schema: JsonSchema }> }
  ).parameters;
  app.get<{ Querystring: { stream?: string; limit?: number } }>(
    '/api/events/dlq/groups',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(groupParams.map((p) => [p.name, resolveSchema(p.schema, doc)])),
        },
        response: { 200: responseSchema('/api/events/dlq/groups', 'get', '200') },
      },
      config: READ_RATE,
    },
    async (req) => listings.run(() => app.store.groups({ stream: req.query.stream, limit: req.query.limit ?? 50 }))
  );

  // The listing and the entry read have no response schema: DlqEntry documents `attempts` as an integer, but the
  // service passes on any finite number a producer wrote (2.5 stays 2.5), which the serialiser would truncate.
  app.get<{ Params: { id: string } }>('/api/events/dlq/entries/:id', { config: READ_RATE }, async (req, reply) => {
    const problem = idProblem(req.params.id, 'id');
    if (problem) {
      throw badRequest(problem, 'id');
    }
    const entry = await fullReads.run(() => app.store.entry(req.params.id));
    if (!entry) {
      return reply.code(404).send({
        error: 'entry_not_found',
        message: 'The DLQ no longer holds this entry: it was retried or purged since the page was read.',
      });
    }
    return entry;
  });

  app.get<{ Params: { operationId: string } }>(
    '/api/events/dlq/operations/:operationId',
    {
      schema: {
        params: { type: 'object', required: ['operationId'], properties: { operationId: schema('OperationId') } },
        response: { 200: responseSchema('/api/events/dlq/operations/{operationId}', 'get', '200') },
      },
      config: READ_RATE,
    },
    async (req, reply) => {
      const op = await verifies.run(() => app.store.operation(req.params.operationId));
      if (!op) {
        return reply.code(404).send({
          error: 'operation_not_found',
          message: 'No such operation: it never existed, was a dry run, or its record expired.',
        });
      }
      return op;
    }
  );
};
