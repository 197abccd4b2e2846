// Configuration comes from the environment only here and in server.ts; buildApp() takes a plain object so tests
// can build many apps with different settings.

export const HASH_TAG = '{events}';

/**
 * The token docker-compose.yaml and the docs use for a local stack. Everyone can read it, so the service refuses it
 * unless EVENT_BUS_ALLOW_DEV_TOKEN=1 says this is a development machine.
 */
export const DEV_TOKEN = 'dev-event-bus-token';

export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  /** Bearer token every /api/events/* request must carry. */
  token: string;
  /**
   * The token being retired, still accepted during a rotation so Grafana can switch to the new one without a
   * moment of 401s (runbooks/key-rotation.md). Unset outside a rotation.
   */
  previousToken?: string;
  /** Main stream keys, all inside the `{events}` hash tag. */
  streams: string[];
  dlqStream: string;
  /** Delivery count (from XPENDING) at which the dead-letter script moves a message. */
  deliveryLimit: number;
  /** Health is "degraded" when the DLQ holds more entries than this. */
  dlqDegradedLength: number;
  /** Health is "degraded" when the oldest DLQ entry is older than this (seconds); 0 disables. */
  dlqDegradedAgeSeconds: number;
  /** Health is "degraded" when a group's lag passes this. */
  groupLagDegraded: number;
  /** Payload text returned by the listing is cut past this many characters. */
  payloadMaxChars: number;
  /** The most of one payload the full-payload read returns (bytes); the rest stays in Redis. */
  payloadFullMaxBytes: number;
  /** Calls each Grafana user may make to each expensive read route (listing, full payload, verify) a minute. */
  readsPerMinute: number;
  /** A request must arrive whole (headers and body) within this many ms, or it gets 408 and its connection closes. */
  bodyTimeoutMs: number;
  /** JSON keys whose values are replaced by "[REDACTED]" in listed payloads (case-insensitive). */
  redactKeys: string[];
  /** Entries moved per Lua script call. Kept well below Lua's unpack limit (~8,000 values). */
  batchSize: number;
  operationTtlSeconds: number;
  idempotencyTtlSeconds: number;
  /** Largest retry whose pending count the verify endpoint computes. */
  verifyMaxMessages: number;
  /** Health stays "degraded" this long after Redis was found to have lost its data. */
  dataLossWarnSeconds: number;
  logLevel: string;
}

export class ConfigError extends Error {}

export const DEFAULTS: Omit<Config, 'token'> = {
  port: 8080,
  host: '0.0.0.0',
  redisUrl: 'redis://127.0.0.1:6379',
  streams: ['{events}:orders', '{events}:payments', '{events}:notifications'],
  dlqStream: '{events}:dlq',
  deliveryLimit: 5,
  dlqDegradedLength: 0,
  dlqDegradedAgeSeconds: 0,
  groupLagDegraded: 1000,
  payloadMaxChars: 4096,
  payloadFullMaxBytes: 1024 * 1024,
  readsPerMinute: 300,
  bodyTimeoutMs: 10_000,
  redactKeys: ['password', 'token', 'secret', 'authorization', 'apiKey', 'cardNumber'],
  batchSize: 200,
  operationTtlSeconds: 7 * 24 * 3600,
  idempotencyTtlSeconds: 24 * 3600,
  verifyMaxMessages: 100000,
  dataLossWarnSeconds: 3600,
  logLevel: 'info',
};

const STREAM_KEY = /^\{events\}:[A-Za-z0-9._-]{1,191}$/;

/** Accepts a topic (`orders`) or a full key (`{events}:orders`) and returns the key. */
export function streamKey(name: string): string {
  const key = name.startsWith(`${HASH_TAG}:`) ? name : `${HASH_TAG}:${name}`;
  if (!STREAM_KEY.test(key)) {
    throw new ConfigError(`"${name}" is not a valid stream name: use letters, digits, ".", "_" or "-".`);
  }
  return key;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (!/^-?[0-9]+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be a whole number, got "${raw}".`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}.`);
  }
  return value;
}

function flagFrom(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim();
  if (raw !== '' && raw !== '0' && raw !== '1') {
    throw new ConfigError(`${name} must be 1 or 0, got "${raw}".`);
  }
  return raw === '1';
}

function listFrom(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function validateConfig(config: Config): Config {
  if (!config.token) {
    throw new ConfigError(
      "EVENT_BUS_TOKEN is not set. Set it to the bearer token Grafana sends (the app's secureJsonData), then start again."
    );
  }
  if (config.token.length < 16) {
    throw new ConfigError('EVENT_BUS_TOKEN is shorter than 16 characters; use a long random token.');
  }
  if (config.previousToken !== undefined && config.previousToken.length < 16) {
    throw new ConfigError(
      'EVENT_BUS_TOKEN_PREVIOUS is shorter than 16 characters; it must be the token being retired.'
    );
  }
  for (const key of [...config.streams, config.dlqStream]) {
    if (!STREAM_KEY.test(key)) {
      throw new ConfigError(`Stream key "${key}" must look like {events}:<name> so every script stays on one slot.`);
    }
  }
  if (config.streams.includes(config.dlqStream)) {
    throw new ConfigError(`The DLQ stream ${config.dlqStream} cannot also be a main stream.`);
  }
  if (config.batchSize < 1 || config.batchSize > 1000) {
    throw new ConfigError('The batch size must be between 1 and 1000 (Lua unpack limits).');
  }
  return config;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    port: intFrom(env, 'PORT', DEFAULTS.port, 0, 65535),
    host: env.HOST || DEFAULTS.host,
    redisUrl: env.REDIS_URL || DEFAULTS.redisUrl,
    token: env.EVENT_BUS_TOKEN ?? '',
    previousToken: env.EVENT_BUS_TOKEN_PREVIOUS || undefined,
    streams: listFrom(env, 'EVENT_STREAMS', DEFAULTS.streams).map(streamKey),
    dlqStream: streamKey(env.DLQ_STREAM || DEFAULTS.dlqStream),
    deliveryLimit: intFrom(env, 'DELIVERY_LIMIT', DEFAULTS.deliveryLimit, 1, 1000),
    dlqDegradedLength: intFrom(env, 'DLQ_DEGRADED_LENGTH', DEFAULTS.dlqDegradedLength, 0, 1e12),
    dlqDegradedAgeSeconds: intFrom(env, 'DLQ_DEGRADED_AGE_SECONDS', DEFAULTS.dlqDegradedAgeSeconds, 0, 1e9),
    groupLagDegraded: intFrom(env, 'GROUP_LAG_DEGRADED', DEFAULTS.groupLagDegraded, 0, 1e12),
    payloadMaxChars: intFrom(env, 'PAYLOAD_MAX_CHARS', DEFAULTS.payloadMaxChars, 16, 1048576),
    payloadFullMaxBytes: intFrom(env, 'PAYLOAD_FULL_MAX_BYTES', DEFAULTS.payloadFullMaxBytes, 1024, 64 * 1024 * 1024),
    readsPerMinute: intFrom(env, 'READS_PER_MINUTE', DEFAULTS.readsPerMinute, 1, 1e6),
    bodyTimeoutMs: intFrom(env, 'BODY_TIMEOUT_MS', DEFAULTS.bodyTimeoutMs, 100, 300_000),
    redactKeys: listFrom(env, 'REDACT_KEYS', DEFAULTS.redactKeys),
    batchSize: intFrom(env, 'BATCH_SIZE', DEFAULTS.batchSize, 1, 1000),
    operationTtlSeconds: intFrom(env, 'OPERATION_TTL_SECONDS', DEFAULTS.operationTtlSeconds, 60, 1e9),
    idempotencyTtlSeconds: intFrom(env, 'IDEMPOTENCY_TTL_SECONDS', DEFAULTS.idempotencyTtlSeconds, 60, 1e9),
    verifyMaxMessages: intFrom(env, 'VERIFY_MAX_MESSAGES', DEFAULTS.verifyMaxMessages, 0, 1e7),
    dataLossWarnSeconds: intFrom(env, 'DATA_LOSS_WARN_SECONDS', DEFAULTS.dataLossWarnSeconds, 0, 1e9),
    logLevel: env.LOG_LEVEL || DEFAULTS.logLevel,
  };
  validateConfig(config);
  if (!flagFrom(env, 'EVENT_BUS_ALLOW_DEV_TOKEN')) {
    for (const [name, token] of [
      ['EVENT_BUS_TOKEN', config.token],
      ['EVENT_BUS_TOKEN_PREVIOUS', config.previousToken],
    ]) {
      if (token === DEV_TOKEN) {
        throw new ConfigError(
          `${name} is the public development token "${DEV_TOKEN}": set a long random token (openssl rand -hex 32), or set EVENT_BUS_ALLOW_DEV_TOKEN=1 on a development machine.`
        );
      }
    }
  }
  return config;
}
