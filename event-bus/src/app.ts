import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

import type { Config } from './config';
import { auth } from './http/auth';
import { draining } from './http/draining';
import { BODY_LIMIT, clientErrorHandler, errorHandling, frameworkErrors } from './http/errorHandler';
import { rateLimits } from './http/limits';
import { requestMetrics } from './http/requestMetrics';
import { validation } from './http/validation';
import { Metrics } from './metrics';
import { OperationRunner } from './operations';
import { connectInBackground, makeRedisClient, type RedisClient } from './redis';
import { dlqRoutes } from './routes/dlq';
import { healthRoutes } from './routes/health';
import { mutationRoutes } from './routes/mutations';
import { Store } from './store';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /**
   * Use this client instead of creating one from config.redisUrl (the app then does not close it). Health and
   * metrics still use a connection of their own to config.redisUrl.
   */
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
}

export function buildApp(config: Config, options: BuildOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // A body shorter than its Content-Length held the connection for Node's 60 s headersTimeout, which also caps
    // requestTimeout; Node checks both every connectionsCheckingInterval, so that is kept well below them.
    requestTimeout: config.bodyTimeoutMs,
    http: {
      headersTimeout: config.bodyTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.bodyTimeoutMs / 4)),
    },
    clientErrorHandler: clientErrorHandler(config.bodyTimeoutMs),
    frameworkErrors,
  });
  // Fastify parses text/plain by default; the API speaks JSON only, so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  const ownsClient = !options.redis;
  const client = options.redis ?? makeRedisClient(config.redisUrl, { disableOfflineQueue: true });
  // Health and metrics answer on a connection of their own: replies are read in order on a connection, so on the
  // main one a probe would wait behind every listing and retry batch queued before it.
  const probe = makeRedisClient(config.redisUrl, { disableOfflineQueue: true });
  connectInBackground(probe);
  const store = new Store(client, config, app.log, probe);
  const runner = new OperationRunner(client, config);
  const metrics = new Metrics(probe, config);
  let isDraining = false;

  app.decorate('store', store);
  app.decorate('runner', runner);
  app.decorate('redis', client);
  app.decorate('metrics', metrics);
  app.decorate('drain', async () => {
    isDraining = true;
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
    await (probe.isOpen ? probe.close().catch(() => probe.destroy()) : probe.destroy());
    if (ownsClient && client.isOpen) {
      await client.close().catch(() => client.destroy());
    } else if (ownsClient) {
      client.destroy();
    }
  });

  app.register(validation);
  app.register(errorHandling, { isRedisReady: () => client.isReady });
  app.register(draining, { isDraining: () => isDraining });
  app.register(auth, { tokens: [config.token, ...(config.previousToken ? [config.previousToken] : [])] });

  app.register(requestMetrics, { metrics });

  app.register(rateLimits, { readsPerMinute: config.readsPerMinute });
  app.register(healthRoutes);
  app.register(dlqRoutes);
  app.register(mutationRoutes, { config });

  return app;
}
