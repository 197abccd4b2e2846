import { extractLinks } from '../markdown';
import { resolveRelativePath } from '../paths';
import { APP_RUNBOOK_PATH, Finding, RUNBOOKS_DIR, SourceFile } from './types';

// Rules `links` and `dashboards` (dashboard links): every link resolves inside the runbooks, to a runbook page, to a
// provisioned dashboard or to an http(s) or mailto URL; anchors name headings that exist.

export function checkLinks(
  file: SourceFile,
  body: string,
  bodyLine: number,
  anchorsByPath: Map<string, Set<string>>,
  slugs: Set<string>,
  dashboards: Set<string> | undefined
): Finding[] {
  const findings: Finding[] = [];
  const fail = (line: number, message: string, fix: string) =>
    findings.push({ file: file.path, line, severity: 'error', rule: 'links', message, fix });

  for (const link of extractLinks(body, bodyLine)) {
    const { target, line } = link;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      if (!/^(https?|mailto):/i.test(target)) {
        fail(line, `link to "${target}" uses a scheme other than http(s) or mailto`, 'link to a page or a runbook');
      }
      continue;
    }
    if (target.startsWith('/d/')) {
      const uid = target.slice(3).split(/[/?#]/)[0];
      if (dashboards && !dashboards.has(uid)) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'dashboards',
          message: `link to dashboard uid "${uid}", which no provisioned dashboard has`,
          fix: `use one of ${[...dashboards].sort().join(', ')}`,
        });
      }
      continue;
    }
    if (target.startsWith(APP_RUNBOOK_PATH)) {
      const slug = target.slice(APP_RUNBOOK_PATH.length).split(/[?#]/)[0];
      if (!slugs.has(slug)) {
        fail(line, `link to runbook "${slug}", which does not exist`, `use one of ${[...slugs].sort().join(', ')}`);
      }
      continue;
    }
    if (target.startsWith('/')) {
      continue;
    }
    const [pathPart, anchor] = splitAnchor(target);
    const resolved = pathPart === '' ? file.path : resolveRelativePath(file.path, pathPart);
    if (!resolved.startsWith(`${RUNBOOKS_DIR}/`) || !resolved.endsWith('.md')) {
      fail(
        line,
        `link to "${target}" leaves the runbooks, which ship inside the app without the rest of the repository`,
        'link to a runbook (.md under runbooks/), a dashboard (/d/<uid>) or an absolute https:// URL'
      );
      continue;
    }
    const anchors = anchorsByPath.get(resolved);
    if (!anchors) {
      fail(line, `link to "${target}": ${resolved} does not exist`, 'correct the path, relative to this file');
      continue;
    }
    if (anchor !== undefined && !anchors.has(anchor)) {
      const close = [...anchors].filter((candidate) => candidate.includes(anchor.split('-')[0])).slice(0, 3);
      fail(
        line,
        `link to "${target}": ${resolved} has no heading with anchor #${anchor}`,
        close.length > 0 ? `did you mean ${close.map((a) => `#${a}`).join(' or ')}?` : 'link to an existing heading'
      );
    }
  }
  return findings;
}

function splitAnchor(target: string): [string, string | undefined] {
  const index = target.indexOf('#');
  return index < 0 ? [target, undefined] : [target.slice(0, index), decodeURIComponent(target.slice(index + 1))];
}
