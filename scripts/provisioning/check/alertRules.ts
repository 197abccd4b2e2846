import { APP_RUNBOOKS, brokenRunbookLink, KnownDatasource, Problem, ProvisioningInput, RunbookInfo } from './types';

// Grafana-managed alert rules in the file-provisioning shape: unique titles and uids, a condition that is one of the
// rule's queries, provisioned datasources, valid durations and states, severity and owner labels, summary and
// description, and a runbook_url that opens the runbook listing the alert (with the alert's name), on a dashboard
// panel that exists.

const NO_DATA_STATES = new Set(['NoData', 'Alerting', 'OK', 'KeepLast']);
const EXEC_ERR_STATES = new Set(['Error', 'Alerting', 'OK', 'KeepLast']);
const SEVERITIES = new Set(['critical', 'warning', 'info']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const RULE_UID = /^[a-zA-Z0-9_-]{1,40}$/;

/** The problems, and each rule's runbook_url by title (the Prometheus rules must carry the same). */
export function checkAlertRules(
  input: ProvisioningInput,
  runbooks: Map<string, RunbookInfo>,
  knownDatasource: KnownDatasource,
  panelsByDashboard: Map<string, Set<number>>
): { problems: Problem[]; grafanaRules: Map<string, string> } {
  const problems: Problem[] = [];
  const grafanaRules = new Map<string, string>();
  const ruleUids = new Set<string>();
  for (const { file, doc } of input.alertingFiles) {
    if (!doc || doc.apiVersion !== 1) {
      problems.push({ file, message: 'alerting provisioning files need apiVersion: 1' });
      continue;
    }
    for (const template of doc.templates ?? []) {
      if (!template.name || typeof template.template !== 'string' || !template.template.trim()) {
        problems.push({ file, message: 'a notification template needs a name and a template' });
      }
    }
    for (const group of doc.groups ?? []) {
      const where = `group "${group.name}"`;
      if (!group.name || !group.folder) {
        problems.push({ file, message: `${where} needs a name and a folder` });
      }
      if (!DURATION.test(String(group.interval ?? ''))) {
        problems.push({ file, message: `${where}: interval "${group.interval}" is not a duration` });
      }
      for (const rule of group.rules ?? []) {
        const at = `rule "${rule.title}"`;
        const fail = (message: string) => problems.push({ file, message: `${at}: ${message}` });
        if (!rule.title) {
          fail('no title');
          continue;
        }
        if (grafanaRules.has(rule.title)) {
          fail('the title is used by another rule too');
        }
        if (!RULE_UID.test(String(rule.uid ?? ''))) {
          fail(`uid "${rule.uid}" must be 1-40 letters, digits, - or _`);
        } else if (ruleUids.has(rule.uid)) {
          fail(`uid "${rule.uid}" is used twice`);
        }
        ruleUids.add(rule.uid);
        const refIds = new Set((rule.data ?? []).map((query: any) => query.refId));
        if (!rule.condition || !refIds.has(rule.condition)) {
          fail(`condition "${rule.condition}" is not the refId of one of its queries`);
        }
        for (const query of rule.data ?? []) {
          if (!knownDatasource(query.datasourceUid)) {
            fail(`query ${query.refId} uses datasource uid "${query.datasourceUid}", which nothing provisions`);
          }
          if (query.datasourceUid !== '__expr__' && !query.model?.expr) {
            fail(`query ${query.refId} has no PromQL expr`);
          }
          if (query.datasourceUid === '__expr__' && query.model?.expression && !refIds.has(query.model.expression)) {
            fail(`expression ${query.refId} reads ${query.model.expression}, which is not a query of the rule`);
          }
        }
        if (rule.for !== undefined && !DURATION.test(String(rule.for))) {
          fail(`for "${rule.for}" is not a duration`);
        }
        if (rule.noDataState && !NO_DATA_STATES.has(rule.noDataState)) {
          fail(`noDataState "${rule.noDataState}" is not one of ${[...NO_DATA_STATES].join(', ')}`);
        }
        if (rule.execErrState && !EXEC_ERR_STATES.has(rule.execErrState)) {
          fail(`execErrState "${rule.execErrState}" is not one of ${[...EXEC_ERR_STATES].join(', ')}`);
        }
        if (!SEVERITIES.has(rule.labels?.severity)) {
          fail('labels.severity must be critical, warning or info');
        }
        if (!rule.labels?.owner) {
          fail('labels.owner is missing');
        }
        if (rule.labels?.source === 'platform' && !/platform exporters/.test(rule.annotations?.description ?? '')) {
          fail('a source=platform rule must say in its description that it needs the platform exporters');
        }
        for (const key of ['summary', 'description', 'runbook_url']) {
          if (!rule.annotations?.[key]) {
            fail(`annotations.${key} is missing`);
          }
        }
        const url: string = rule.annotations?.runbook_url ?? '';
        if (url) {
          const slug = url.includes(APP_RUNBOOKS) ? url.split(APP_RUNBOOKS)[1].split(/[?#]/)[0] : '';
          const why = url.includes(APP_RUNBOOKS) ? brokenRunbookLink(url, runbooks) : 'it does not point into the app';
          if (why) {
            fail(`runbook_url ${url}: ${why}`);
          } else if (!runbooks.get(slug)?.alerts.includes(rule.title)) {
            fail(`runbook_url points at ${slug}, whose front matter does not list ${rule.title}`);
          }
          if (!url.includes(`alertname=${rule.title}`)) {
            fail('runbook_url must carry alertname=<the rule title>, so the runbook shows which alert opened it');
          }
        }
        const panels = panelsByDashboard.get(rule.dashboardUid);
        if (rule.dashboardUid && !panels) {
          fail(`dashboardUid "${rule.dashboardUid}" is not a provisioned dashboard`);
        } else if (rule.dashboardUid && !panels?.has(rule.panelId)) {
          fail(`panelId ${rule.panelId} is not a panel of ${rule.dashboardUid}`);
        }
        grafanaRules.set(rule.title, url);
      }
    }
  }
  return { problems, grafanaRules };
}
