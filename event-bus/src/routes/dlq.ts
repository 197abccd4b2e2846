import type { FastifyPluginAsync } from 'fastify';

import { badRequest } from '../errors';
import { idProblem } from '../ids';
import { loadOpenApi, resolveSchema, schema, type JsonSchema } from '../openapi';

/** The DLQ listing and the record of one operation. */
export const dlqRoutes: FastifyPluginAsync = async (app) => {
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
      return app.store.list({
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
      const op = await app.store.operation(req.params.operationId);
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
