import fp from 'fastify-plugin';

import type { Metrics } from '../metrics';

export interface RequestMetricsOptions {
  metrics: Metrics;
}

/** Request counts and latency by route template (never by ID), for the service's own dashboards and alerts (401s). */
export const requestMetrics = fp<RequestMetricsOptions>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (req, reply) => {
      const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched' };
      metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    });
  },
  { name: 'request-metrics' }
);
