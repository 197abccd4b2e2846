import type { FastifyPluginAsync } from 'fastify';

/** Liveness and metrics (public), and the DLQ health the panel and the runbooks read. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/livez', { config: { isPublic: true } }, async () => ({ status: 'ok' }));

  app.get('/metrics', { config: { isPublic: true } }, async (_req, reply) => {
    const text = await app.metrics.render();
    return reply.type(app.metrics.registry.contentType).send(text);
  });

  app.get('/api/events/health', async (_req, reply) => {
    const { statusCode, body } = await app.store.health();
    return reply.code(statusCode).send(body);
  });
};
