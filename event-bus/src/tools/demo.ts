import { parseArgs } from 'node:util';

import { ConfigError, DEFAULTS, streamKey } from '../config';
import { makeRedisClient } from '../redis';
import { seedDlq } from './seed';
import { Workload } from './workload';

// `npm run demo`: runs the demo workload against REDIS_URL until Ctrl-C (or --duration). Start the service
// beside it (`npm start`) to see the panel, alerts and runbooks react to real behaviour.

function num(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`--${name} must be a number between ${min} and ${max}.`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      'fail-share': { type: 'string' },
      'permanent-share': { type: 'string' },
      'min-idle-ms': { type: 'string' },
      consumers: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run demo -- [--rate 20] [--fail-share 0.1] [--permanent-share 0.5] [--min-idle-ms 1000] [--consumers 2] [--duration 0] [--seed N]\n' +
        'env: REDIS_URL, EVENT_STREAMS, DLQ_STREAM, DELIVERY_LIMIT (as for the service)\n'
    );
    return;
  }
  const env = process.env;
  const redisUrl = env.REDIS_URL || DEFAULTS.redisUrl;
  const streams = (
    env.EVENT_STREAMS
      ? env.EVENT_STREAMS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : DEFAULTS.streams
  ).map(streamKey);
  const dlqStream = streamKey(env.DLQ_STREAM || DEFAULTS.dlqStream);
  const deliveryLimit = num(env.DELIVERY_LIMIT, 'DELIVERY_LIMIT', DEFAULTS.deliveryLimit, 1, 1000);
  const log = (line: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);

  const seedCount = num(values.seed, 'seed', 0, 0, 1_000_000);
  if (seedCount > 0) {
    // A quick way to fill the DLQ for screenshots and paging: entries look dead-lettered from the first stream.
    const client = makeRedisClient(redisUrl, { disableOfflineQueue: false });
    await client.connect();
    const payloads = Array.from({ length: seedCount }, (_, i) =>
      JSON.stringify({ id: `seed-${i}`, amount: -i, demo: { fail: 'permanent' } })
    );
    await seedDlq(client, { dlqStream }, streams[0], payloads);
    await client.close();
    log({ msg: 'seeded the DLQ', count: seedCount, stream: streams[0] });
  }

  const workload = new Workload({
    redisUrl,
    streams,
    dlqStream,
    deliveryLimit,
    rate: num(values.rate, 'rate', 20, 0, 10000),
    failShare: num(values['fail-share'], 'fail-share', 0.1, 0, 1),
    permanentShare: num(values['permanent-share'], 'permanent-share', 0.5, 0, 1),
    minIdleMs: num(values['min-idle-ms'], 'min-idle-ms', 1000, 10, 600000),
    consumersPerStream: num(values.consumers, 'consumers', 2, 1, 20),
    log,
  });
  await workload.start();
  log({
    msg: 'demo workload running',
    redis: redisUrl.replace(/\/\/[^@/]*@/, '//***@'),
    streams,
    dlqStream,
    deliveryLimit,
  });
  const report = setInterval(() => log({ msg: 'stats', ...workload.stats }), 10000);
  const stop = async () => {
    clearInterval(report);
    await workload.stop();
    log({ msg: 'stopped', ...workload.stats });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const duration = num(values.duration, 'duration', 0, 0, 86400);
  if (duration > 0) {
    setTimeout(() => void stop(), duration * 1000);
  }
}

main().catch((err) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
