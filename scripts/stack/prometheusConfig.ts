import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// The stack's Prometheus runs the repository's own configuration, with the event-bus target on the local port.

const PROMETHEUS_DIR = path.resolve(__dirname, '..', '..', 'provisioning', 'prometheus');

export interface PrometheusStaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

export interface PrometheusScrapeConfig {
  job_name: string;
  static_configs?: PrometheusStaticConfig[];
  [key: string]: unknown;
}

/** The parts of prometheus.yml the stack reads or changes; the rest passes through. */
export interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files: string[];
  scrape_configs?: PrometheusScrapeConfig[];
  [key: string]: unknown;
}

/** The repository's Prometheus configuration with the event-bus target moved to the local port. */
export function localPrometheusConfig(eventBusPort: number): PrometheusConfig {
  const config: PrometheusConfig = parse(fs.readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'));
  config.rule_files = (config.rule_files ?? []).map((file) => path.join(PROMETHEUS_DIR, file));
  for (const job of config.scrape_configs ?? []) {
    if (job.job_name === 'event-bus') {
      for (const target of job.static_configs ?? []) {
        target.targets = [`127.0.0.1:${eventBusPort}`];
      }
    }
  }
  return config;
}
