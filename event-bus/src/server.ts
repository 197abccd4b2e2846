import { buildApp } from './app';
import { ConfigError, configFromEnv, type Config } from './config';

// The only place that reads the environment, listens and handles signals (buildApp never listens).

const SHUTDOWN_DEADLINE_MS = 9000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = configFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`event-bus: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const app = buildApp(config, {
    logger: {
      level: config.logLevel,
      // Belt and braces: the default request serializer has no headers, but never let the token reach a log.
      redact: ['req.headers.authorization', 'headers.authorization', 'config.token'],
    },
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      return;
    }
    closing = true;
    app.log.info({ signal }, 'shutting down: new requests get 503, the running operation finishes its batch');
    const deadline = setTimeout(() => {
      app.log.error('shutdown took longer than 9 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      await app.drain();
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    {
      port: config.port,
      redis: config.redisUrl.replace(/\/\/[^@/]*@/, '//***@'),
      streams: config.streams,
      dlq: config.dlqStream,
    },
    'event-bus ready'
  );
  if (config.previousToken) {
    // It is accepted for as long as it is set: say so at every start, so a finished rotation does not leave it.
    app.log.warn(
      'EVENT_BUS_TOKEN_PREVIOUS is set: the previous token is still accepted. Once Grafana sends the new token, unset EVENT_BUS_TOKEN_PREVIOUS and restart (runbooks/key-rotation.md).'
    );
  }
}

main().catch((err) => {
  process.stderr.write(`event-bus: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
