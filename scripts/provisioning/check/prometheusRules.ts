import { Problem, ProvisioningInput } from './types';

// The Prometheus rule files: the same alerts as the Grafana-managed rules, with the same runbook links.

export function checkPrometheusTwins(input: ProvisioningInput, grafanaRules: Map<string, string>): Problem[] {
  const problems: Problem[] = [];
  if (input.prometheusRuleFiles.length > 0) {
    const promRules = new Map<string, { file: string; url?: string }>();
    for (const { file, doc } of input.prometheusRuleFiles) {
      for (const group of doc?.groups ?? []) {
        for (const rule of group.rules ?? []) {
          if (rule.alert) {
            promRules.set(rule.alert, { file, url: rule.annotations?.runbook_url });
          }
        }
      }
    }
    for (const [name, { file, url }] of promRules) {
      if (!grafanaRules.has(name)) {
        problems.push({ file, message: `Prometheus alert ${name} has no Grafana-managed twin` });
      } else if (grafanaRules.get(name) !== url) {
        problems.push({ file, message: `Prometheus alert ${name} links to ${url}, the Grafana rule elsewhere` });
      }
    }
    for (const name of grafanaRules.keys()) {
      if (!promRules.has(name)) {
        problems.push({ file: 'provisioning/prometheus', message: `Grafana rule ${name} has no Prometheus twin` });
      }
    }
  }
  return problems;
}
