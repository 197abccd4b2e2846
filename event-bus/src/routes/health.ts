import type { FastifyPluginAsync, FastifySchema } from 'fastify';

import { responseSchema } from '../openapi';

/** Liveness and metrics (public), and the DLQ health the panel and the runbooks read. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/livez',
    { config: { isPublic: true }, schema: { response: { 200: responseSchema('/livez', 'get', '200') } } },
    async () => ({ status: 'ok' })
  );

  app.get('/metrics', { config: { isPublic: true } }, async (_req, reply) => {
    const text = await app.metrics.render();
    return reply.type(app.metrics.registry.contentType).send(text);
  });

  // Only the 200 is serialised by its schema: a 503 is "down" health or, while draining, the error shape.
  const health: FastifySchema = { response: { 200: responseSchema('/api/events/health', 'get', '200') } };
  app.get('/api/events/health', { schema: health }, async (_req, reply) => {
    const { statusCode, body } = await app.store.health();
    return reply.code(statusCode).send(body);
  });
};
