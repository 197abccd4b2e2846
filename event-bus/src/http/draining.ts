import fp from 'fastify-plugin';

export interface DrainingOptions {
  /** True once the service is shutting down (`app.drain()`). */
  isDraining: () => boolean;
}

/** While the service shuts down, every new request gets 503 and the connection closes. */
export const draining = fp<DrainingOptions>(
  async (app, { isDraining }) => {
    app.addHook('onRequest', async (_req, reply) => {
      if (isDraining()) {
        reply.header('connection', 'close');
        return reply
          .code(503)
          .send({ error: 'shutting_down', message: 'The service is shutting down; try again shortly.' });
      }
    });
  },
  { name: 'draining' }
);
