import { extractCodeBlocks, extractCodeSpans } from '../markdown';
import { CheckInput, Finding, SourceFile } from './types';

// Rule `metrics`: every metric a runbook names is exported by something in the stack.

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
]);

/**
 * A metric is named in a `promql` block (any identifier followed by `{` or `[`), or anywhere in code within the
 * namespace of this repository's own exporters; both must be exported by something in the stack.
 */
export function checkMetrics(
  file: SourceFile,
  body: string,
  bodyLine: number,
  metrics: CheckInput['metrics']
): Finding[] {
  if (!metrics) {
    return [];
  }
  const isExported = (name: string) =>
    metrics.names.has(name) ||
    metrics.names.has(name.replace(/_(bucket|sum|count)$/, '')) ||
    metrics.prefixes.some((prefix) => name.startsWith(prefix));

  const mentions: Array<{ name: string; line: number }> = [];
  for (const block of extractCodeBlocks(body, bodyLine)) {
    block.content.split('\n').forEach((text, index) => {
      const line = block.line + 1 + index;
      if (block.info.split(/\s/)[0] === 'promql') {
        for (const match of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) {
          if (!PROMQL_KEYWORDS.has(match[1])) {
            mentions.push({ name: match[1], line });
          }
        }
      }
      mentions.push(...prefixed(text, line));
    });
  }
  for (const span of extractCodeSpans(body, bodyLine)) {
    mentions.push(...prefixed(span.code, span.line));
  }

  function prefixed(text: string, line: number) {
    return [...text.matchAll(/\b([a-z][a-z0-9]*_[a-z0-9_]+)\b/g)]
      .filter((match) => metrics!.namespaces.some((namespace) => match[1].startsWith(namespace)))
      .map((match) => ({ name: match[1], line }));
  }

  const seen = new Set<string>();
  return mentions
    .filter(({ name, line }) => !isExported(name) && !seen.has(`${name}:${line}`) && seen.add(`${name}:${line}`))
    .map(({ name, line }) => ({
      file: file.path,
      line,
      severity: 'error' as const,
      rule: 'metrics' as const,
      message: `metric "${name}" is exported by nothing in the stack`,
      fix: `correct the name (known: ${closest(name, [...metrics.names])}) or declare the exporter's metrics`,
    }));
}

function closest(name: string, names: string[]): string {
  const stem = name.split('_').slice(0, 2).join('_');
  const near = names.filter((candidate) => candidate.startsWith(stem)).slice(0, 4);
  return (near.length > 0 ? near : names.slice(0, 4)).join(', ');
}
