import type { IncomingMessage } from 'node:http';

import type { ErrorObject } from 'ajv';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';

import { badRequest, HttpError, RedisUnavailableError, validationError } from '../errors';

/** The largest request body accepted (Fastify's bodyLimit). */
export const BODY_LIMIT = 1024 * 1024;

/** What a refused body may still send before the 413 goes out regardless: 16 MiB, or 10 s. */
const DRAIN_MAX_BYTES = 16 * BODY_LIMIT;
const DRAIN_MAX_MS = 10_000;

/** A registered route's path as a pattern over the raw request path: a `:param` matches one segment, `*` the rest. */
function pathPattern(url: string): RegExp {
  const source = url.replace(/:[A-Za-z0-9_]+|\*|[.+?^${}()|[\]\\]/g, (m) =>
    m === '*' ? '.*' : m.startsWith(':') ? '[^/]+' : `\\${m}`
  );
  return new RegExp(`^${source}$`);
}

const REDIS_UNAVAILABLE = {
  error: 'redis_unavailable',
  message: 'Redis is not reachable; try again when health reports "ok".',
};

/** Reads and drops what is left of a request's body, until it ends or the bounds above are reached. */
function drainRequest(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', finish).off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) {
        finish();
      }
    };
    const timer = setTimeout(finish, DRAIN_MAX_MS);
    raw.on('data', onData).once('end', finish).once('close', finish);
    raw.resume();
  });
}

type FrameworkError = Error & {
  statusCode?: number;
  code?: string;
  validation?: ErrorObject[];
  validationContext?: string;
};

export interface ErrorHandlingOptions {
  isRedisReady: () => boolean;
}

/** One error shape for every failure: a stable code and an operator sentence, never an echo of the input. */
export const errorHandling = fp<ErrorHandlingOptions>(
  async (app, { isRedisReady }) => {
    // Every route registered after this plugin, with its methods (the HEAD Fastify adds for a GET included), so a
    // wrong method gets 405 with `Allow` instead of 404.
    const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
    app.addHook('onRoute', ({ url, method }) => {
      routes.push({ pattern: pathPattern(url), methods: Array.isArray(method) ? method : [method] });
    });

    app.setErrorHandler((err: FrameworkError, req, reply) => {
      if (err instanceof HttpError) {
        return reply.code(err.statusCode).headers(err.headers).send(err.body);
      }
      if (err.validation) {
        const context = err.validationContext ?? 'request';
        const first = err.validation[0];
        if (first?.keyword === 'oneOf') {
          const names = String((first.params as { names?: string }).names ?? '');
          const e = badRequest(`Send exactly one of ${names} (not both, not neither).`, 'body');
          return reply.code(400).send(e.body);
        }
        const e = validationError(context === 'querystring' ? 'query' : context, err.validation);
        return reply.code(400).send(e.body);
      }
      if (err instanceof RedisUnavailableError || err.constructor?.name?.startsWith('Client')) {
        return reply.code(503).send(REDIS_UNAVAILABLE);
      }
      switch (err.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return reply
            .code(415)
            .send({ error: 'unsupported_media_type', message: 'Send the body as application/json.' });
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          // Fastify refuses the body from its Content-Length before reading it. Answering while the client is still
          // sending lets the connection close under it, and the client sees a broken pipe instead of the 413; so
          // the rest of the body is read and dropped first, within bounds.
          return drainRequest(req.raw).then(() =>
            reply
              .code(413)
              .send({ error: 'body_too_large', message: 'The body is larger than 1 MiB; send fewer IDs per request.' })
          );
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
          return reply.code(400).send({ error: 'invalid_request', message: 'The JSON body is empty.', field: 'body' });
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          return reply.code(400).send({ error: 'invalid_request', message: 'Content-Length does not match the body.' });
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        // JSON syntax errors and __proto__ keys land here; Fastify's wording is fine but never echoes input.
        const message =
          err.statusCode === 400
            ? 'The body is not valid JSON (or uses a forbidden key such as __proto__).'
            : 'The request was rejected.';
        return reply.code(err.statusCode).send({ error: 'invalid_request', message, field: 'body' });
      }
      req.log.error({ err }, 'unhandled error');
      if (!isRedisReady()) {
        return reply.code(503).send(REDIS_UNAVAILABLE);
      }
      return reply
        .code(500)
        .send({ error: 'internal_error', message: 'The service hit an unexpected error; see its log.' });
    });

    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      const methods = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
      if (methods.length > 0) {
        return reply
          .code(405)
          .header('allow', methods.join(', '))
          .send({
            error: 'method_not_allowed',
            message: `${req.method} is not allowed here; use ${methods.join(' or ')}.`,
          });
      }
      return reply.code(404).send({ error: 'not_found', message: 'No such endpoint; see openapi.yaml for the API.' });
    });
  },
  { name: 'error-handling' }
);

/**
 * Errors Node's HTTP server raises before Fastify sees a request (a body that does not arrive whole in time, bytes
 * that are not HTTP): the same JSON error shape, then the connection closes.
 */
export function clientErrorHandler(bodyTimeoutMs: number): NonNullable<FastifyServerOptions['clientErrorHandler']> {
  return (err: NodeJS.ErrnoException, socket) => {
    const [status, body] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            '408 Request Timeout',
            {
              error: 'request_timeout',
              message: `The request did not arrive whole within ${bodyTimeoutMs} ms; send it again.`,
            },
          ]
        : ['400 Bad Request', { error: 'invalid_request', message: 'The request is not valid HTTP.' }];
    if (socket.writable) {
      const text = JSON.stringify(body);
      // Then destroyed: the server's sockets are half-open, so a client that never closes would keep it.
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
          `Connection: close\r\n\r\n${text}`,
        () => socket.destroy()
      );
    } else {
      socket.destroy(err);
    }
  };
}

/** Errors raised before routing (bad percent-encoding, say) get the same shape and never echo the URL. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (_err, _req, reply) => {
  void (reply as FastifyReply)
    .code(400)
    .send({ error: 'invalid_request', message: 'The URL is not valid (check its percent-encoding).' });
};
