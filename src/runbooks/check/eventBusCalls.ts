import { CodeBlock, extractCodeBlocks, extractCodeSpans } from '../markdown';
import { commandsOf } from './commands';
import { CheckInput, Finding, SourceFile } from './types';

// Rule `event-bus-api`: every event-bus call a runbook shows (`curl` commands, `METHOD /api/events/...` code spans)
// is an operation of event-bus/openapi.yaml with that method.

interface EventBusCall {
  method: string;
  path: string;
  line: number;
}

/** `curl` commands (continued lines joined) and `METHOD /api/events/...` code spans. */
function eventBusCalls(blocks: CodeBlock[], spans: Array<{ code: string; line: number }>): EventBusCall[] {
  const calls: EventBusCall[] = [];
  for (const { text: command, line } of blocks.flatMap(commandsOf)) {
    if (!/\bcurl\b/.test(command)) {
      continue;
    }
    for (const match of command.matchAll(/\/api\/events(\/[^\s"'?)]*)?/g)) {
      const explicit = /(?:-X|--request)\s+['"]?([A-Z]+)/.exec(command)?.[1];
      const hasBody = /\s(-d|--data(-raw|-binary)?|--json)\b/.test(command);
      calls.push({ method: explicit ?? (hasBody ? 'POST' : 'GET'), path: match[0], line });
    }
  }
  for (const span of spans) {
    const match = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/api\/events\/[^\s?]*)/.exec(span.code);
    if (match) {
      calls.push({ method: match[1], path: match[2], line: span.line });
    }
  }
  return calls;
}

function matchesTemplate(path: string, template: string): boolean {
  const actual = path.replace(/\/$/, '').split('/');
  const expected = template.split('/');
  return (
    actual.length === expected.length &&
    expected.every((segment, i) => segment === actual[i] || (/^\{.+\}$/.test(segment) && actual[i] !== ''))
  );
}

export function checkEventBusCalls(
  file: SourceFile,
  body: string,
  bodyLine: number,
  api: CheckInput['eventBusApi']
): Finding[] {
  if (!api) {
    return [];
  }
  const calls = eventBusCalls(extractCodeBlocks(body, bodyLine), extractCodeSpans(body, bodyLine));
  return calls
    .filter((call) => !api.some((op) => op.method === call.method && matchesTemplate(call.path, op.path)))
    .map((call) => {
      const samePath = api.filter((op) => matchesTemplate(call.path, op.path)).map((op) => op.method);
      return {
        file: file.path,
        line: call.line,
        severity: 'error' as const,
        rule: 'event-bus-api' as const,
        message:
          samePath.length > 0
            ? `${call.method} ${call.path}: event-bus/openapi.yaml allows only ${samePath.join(', ')} on this path`
            : `${call.method} ${call.path} is not an operation of event-bus/openapi.yaml`,
        fix: `use one of: ${api.map((op) => `${op.method} ${op.path}`).join(', ')}`,
      };
    });
}
