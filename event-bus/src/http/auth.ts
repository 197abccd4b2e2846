import { createHash, timingSafeEqual } from 'node:crypto';

import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the bearer token (liveness and metrics). */
    isPublic?: boolean;
  }
}

export interface AuthOptions {
  /** The tokens accepted: the current one first, then the one being retired during a rotation (warned on use). */
  tokens: string[];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Which accepted token the header carries (its index), or -1. Compares digests so neither the length nor the content
 * of a token leaks through timing; every accepted token is compared, whichever matches, so the time does not tell
 * which one did either.
 */
function tokenMatch(header: string | undefined, accepted: Buffer[]): number {
  const m = /^Bearer ([^\s]+)\s*$/i.exec(header ?? '');
  const given = sha256(m ? m[1] : '');
  const matches = accepted.map((expected) => timingSafeEqual(given, expected));
  return m === null ? -1 : matches.indexOf(true);
}

/** Every route but the public ones needs the bearer token Grafana's data proxy adds. */
export const auth = fp<AuthOptions>(
  async (app, { tokens }) => {
    const accepted = tokens.map(sha256);
    app.addHook('onRequest', async (req, reply) => {
      if (req.routeOptions.config?.isPublic) {
        return;
      }
      const match = tokenMatch(req.headers.authorization, accepted);
      if (match < 0) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({
          error: 'unauthorized',
          message: 'Missing or wrong bearer token; check the app configuration in Grafana.',
        });
      }
      if (match > 0) {
        // A rotation is finished only when nothing sends the old token; each use says it is still in use.
        req.log.warn(
          { route: req.routeOptions.url },
          'A request used EVENT_BUS_TOKEN_PREVIOUS: something (Grafana?) still sends the token being retired.'
        );
      }
    });
  },
  { name: 'auth' }
);
