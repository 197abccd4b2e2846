import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

import { HttpError } from '../errors';
import { actorOf } from './actor';

/**
 * At most `size` requests of one kind at a time; the next gets 429 at once rather than a place in a queue, so a
 * burst of heavy reads cannot pile up memory or Redis time behind it.
 */
export class ConcurrencyLimit {
  private running = 0;

  constructor(
    readonly size: number,
    private readonly what: string
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) {
      throw new HttpError(
        429,
        {
          error: 'too_many_requests',
          message: `${this.size} ${this.what} already running; try again in a second.`,
        },
        { 'retry-after': '1' }
      );
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
    }
  }
}

export interface RateLimitOptions {
  /** Calls per Grafana user per minute to each route that opts in (each route counts on its own). */
  readsPerMinute: number;
}

/**
 * Per-user rate limits, keyed by the Grafana user the proxy names (`X-Grafana-Context`): one operator's script
 * cannot take the service from the others. Routes opt in with `config: { rateLimit: READ_RATE }`.
 */
export const rateLimits = fp<RateLimitOptions>(
  async (app, { readsPerMinute }) => {
    await app.register(rateLimit, {
      global: false,
      max: readsPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => actorOf(req.headers),
      // The plugin has set Retry-After (seconds) on the reply already.
      errorResponseBuilder: (_req, context) =>
        new HttpError(429, {
          error: 'too_many_requests',
          message: `More than ${context.max} of these reads a minute from this Grafana user; try again in ${context.after}.`,
        }),
    });
  },
  { name: 'rate-limits' }
);

/** The route option that puts a route under the per-user read limit. */
export const READ_RATE = { rateLimit: {} };
