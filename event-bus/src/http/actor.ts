import type { FastifyRequest } from 'fastify';

/**
 * The Grafana user, for audit only (never for authorisation). Grafana's plugin proxy always sends
 * `X-Grafana-Context`: `json.Marshal` of its signed-in user, whose Go fields carry no json tags, so the keys are
 * `Login`, `Name`, `Email`, `IsAnonymous`... (test/fixtures/x-grafana-context.json). `X-Grafana-User` comes only
 * when Grafana is set to send it (and Grafana removes one a browser sent), so it is the fallback.
 */
export function actorOf(headers: FastifyRequest['headers']): string {
  const clean = (s: string) => s.replace(/[^\x20-\x7E]/g, '').slice(0, 200);
  const ctx = headers['x-grafana-context'];
  if (typeof ctx === 'string') {
    try {
      const user = JSON.parse(ctx) as Record<string, unknown>;
      for (const key of ['Login', 'Name', 'Email']) {
        const value = user[key];
        if (typeof value === 'string' && clean(value) !== '') {
          return clean(value);
        }
      }
      if (user.IsAnonymous === true) {
        return 'anonymous';
      }
    } catch {
      // A malformed header is not worth failing the request over; fall through.
    }
  }
  const user = headers['x-grafana-user'];
  return typeof user === 'string' && clean(user) !== '' ? clean(user) : 'unknown';
}
