import { checkAlertRules } from './alertRules';
import { checkDashboards } from './dashboards';
import { checkDatasources } from './datasources';
import { checkPrometheusTwins } from './prometheusRules';
import { knownDatasources, Problem, ProvisioningInput, runbookIndex } from './types';

// What Grafana and the runbooks need from provisioning/, checked without a Grafana: dashboards (JSON, unique uids,
// datasource uids that are provisioned, panel types that exist: core or ours, links that resolve), Grafana alert
// rule files (the file-provisioning shape, runbook links that resolve to the runbook listing the alert and to a
// heading that exists, dashboard and panel that exist), and the Prometheus rule file (the same alerts, the same
// runbook links). Pure: scripts/check-provisioning.ts reads the files, tests pass their own. One module per
// kind of file; this entry runs them in the order their results feed each other.

export function checkProvisioning(input: ProvisioningInput): Problem[] {
  const runbooks = runbookIndex(input.runbooks);
  const datasources = checkDatasources(input);
  const knownDatasource = knownDatasources(datasources.uids);
  const dashboards = checkDashboards(input, runbooks, knownDatasource);
  const alertRules = checkAlertRules(input, runbooks, knownDatasource, dashboards.panelsByDashboard);
  return [
    ...datasources.problems,
    ...dashboards.problems,
    ...alertRules.problems,
    ...checkPrometheusTwins(input, alertRules.grafanaRules),
  ];
}
