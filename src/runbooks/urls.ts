import { PLUGIN_BASE_URL, ROUTES } from '../constants';
import { resolveRelativePath } from './paths';

// Every URL the runbook pages and the extension links build. Query parameters carry the context an operator
// arrives with: the alert (`alertname` and its labels) and the dashboard's time range and variables.

/** Query parameters that are not alert labels. */
const NON_LABEL_PARAMS = new Set(['alertname', 'from', 'to', 'timezone', 'refresh', 'dashboard', 'q', 'tag', 'owner']);
/** Alert labels that name a dashboard variable of the same name. */
const LABELS_AS_VARIABLES = ['stream', 'service', 'group'];

export interface AlertContext {
  alertname: string;
  labels: Array<[string, string]>;
}

/**
 * Whether a value is an alert annotation's template left unrendered. Grafana renders `runbook_url` per alert
 * instance, but the rule's own page links the stored annotation as it is: `stream={{ $labels.stream | urlquery }}`.
 */
function isUnrendered(value: string): boolean {
  return value.includes('{{');
}

export function alertContextFrom(params: URLSearchParams): AlertContext | undefined {
  const alertname = params.get('alertname');
  if (!alertname || isUnrendered(alertname)) {
    return undefined;
  }
  const labels = [...params.entries()].filter(
    ([key, value]) => !NON_LABEL_PARAMS.has(key) && !key.startsWith('var-') && !isUnrendered(value)
  );
  return { alertname, labels };
}

/** The parameters a runbook page passes on: the alert with its labels, the time range and the variables. */
export function contextParams(params: URLSearchParams): URLSearchParams {
  const kept = new URLSearchParams();
  for (const [key, value] of params) {
    if (key !== 'q' && key !== 'tag' && key !== 'owner' && key !== 'dashboard' && !isUnrendered(value)) {
      kept.append(key, value);
    }
  }
  return kept;
}

/** Keys of a dashboard's URL state: what Grafana's `EmbeddedDashboard` reports through `onStateChange`. */
export function isDashboardStateKey(key: string): boolean {
  return key === 'from' || key === 'to' || key === 'timezone' || key === 'refresh' || key.startsWith('var-');
}

/** Time range and variables for a dashboard, with alert labels such as `stream` as the variables of that name. */
export function dashboardParams(params: URLSearchParams): URLSearchParams {
  const result = new URLSearchParams();
  for (const [key, value] of params) {
    if (isDashboardStateKey(key) && !isUnrendered(value)) {
      result.append(key, value);
    }
  }
  for (const label of LABELS_AS_VARIABLES) {
    const value = params.get(label);
    if (value && !isUnrendered(value) && !result.has(`var-${label}`)) {
      result.set(`var-${label}`, value);
    }
  }
  return result;
}

function withQuery(path: string, params?: URLSearchParams): string {
  const query = params?.toString();
  return query ? `${path}?${query}` : path;
}

export function runbookIndexPath(params?: URLSearchParams): string {
  return withQuery(`${PLUGIN_BASE_URL}/${ROUTES.Runbooks}`, params);
}

export function runbookPath(slug: string, params?: URLSearchParams, anchor?: string): string {
  return withQuery(`${PLUGIN_BASE_URL}/${ROUTES.Runbooks}/${slug}`, params) + (anchor ? `#${anchor}` : '');
}

export function besidePath(slug: string, dashboardUid: string, params?: URLSearchParams): string {
  const query = new URLSearchParams(params);
  query.set('dashboard', dashboardUid);
  return withQuery(`${PLUGIN_BASE_URL}/${ROUTES.Runbooks}/${slug}/${ROUTES.Beside}`, query);
}

/**
 * The dashboard a runbook's live blocks annotate after a retry or purge: the one `?dashboard=` names when the runbook
 * lists it, else the runbook's first. Anyone can write `?dashboard=` into a link, and an audit annotation must not
 * land on a dashboard the runbook has nothing to do with.
 */
export function besideDashboard(listed: string[], requested: string | null): string | undefined {
  return requested && listed.includes(requested) ? requested : listed[0];
}

export function dashboardPath(uid: string, params?: URLSearchParams): string {
  return withQuery(`/d/${encodeURIComponent(uid)}`, params);
}

export function alertResolverPath(alertname: string, labels: Record<string, string> = {}): string {
  const params = new URLSearchParams({ alertname });
  for (const [key, value] of Object.entries(labels)) {
    if (key !== 'alertname' && !key.startsWith('__')) {
      params.set(key, value);
    }
  }
  return withQuery(`${PLUGIN_BASE_URL}/${ROUTES.Alert}`, params);
}

/**
 * Turns a link written in a runbook (relative to its file, as on GitHub) into the app page it means; `undefined`
 * for links that are not to another runbook.
 */
export function runbookLinkTarget(fromSlug: string, href: string): { slug: string; anchor?: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) {
    return undefined;
  }
  const [file, anchor] = href.split('#');
  if (!file.endsWith('.md')) {
    return undefined;
  }
  const slug = resolveRelativePath(`${fromSlug}.md`, file).replace(/\.md$/, '');
  return slug === 'README' ? { slug: '', anchor } : { slug, anchor };
}
