// Line-oriented reading of runbook markdown, shared by the build-time catalog, the checker and the runbook pages,
// so that a heading anchor or a code block means the same thing in all three.

export interface Heading {
  depth: number;
  /** The heading as rendered: inline markup and link targets removed. */
  text: string;
  anchor: string;
  /** 1-based line in the whole file. */
  line: number;
}

export interface CodeBlock {
  /** The fence's info string, for example `bash exec` or `dlq-health`. */
  info: string;
  content: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export interface Link {
  text: string;
  target: string;
  line: number;
}

export interface MarkdownDocument {
  /** The YAML between the leading `---` lines, or `undefined` when the file has none. */
  frontMatter?: string;
  /** Everything after the front matter. */
  body: string;
  /** Line number (1-based) in the whole file of the body's first line. */
  bodyLine: number;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export function splitFrontMatter(source: string): MarkdownDocument {
  const match = FRONT_MATTER.exec(source);
  if (!match) {
    return { body: source, bodyLine: 1 };
  }
  return {
    frontMatter: match[1],
    body: source.slice(match[0].length),
    bodyLine: match[0].split('\n').length,
  };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Markdown inline markup reduced to the text a reader sees. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .trim();
}

interface Line {
  text: string;
  number: number;
  isCode: boolean;
}

/** Splits a body into lines, marking those inside fenced code blocks (fences included). */
function lines(body: string, firstLine: number): Line[] {
  let fence: string | undefined;
  return body.split(/\r?\n/).map((text, index) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    const isFence = opening !== null && (fence === undefined || opening[1].startsWith(fence));
    const isCode = fence !== undefined || isFence;
    if (isFence) {
      fence = fence === undefined ? opening[1] : undefined;
    }
    return { text, number: firstLine + index, isCode };
  });
}

/** ATX headings outside code blocks, with GitHub-style anchors made unique the way GitHub does (`-1`, `-2`). */
export function extractHeadings(body: string, firstLine = 1): Heading[] {
  const seen = new Map<string, number>();
  return lines(body, firstLine)
    .filter((line) => !line.isCode)
    .flatMap((line) => {
      const match = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line.text);
      if (!match) {
        return [];
      }
      const text = plainText(match[2]);
      const base = headingAnchor(text);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      return [{ depth: match[1].length, text, anchor: count === 0 ? base : `${base}-${count}`, line: line.number }];
    });
}

export function extractCodeBlocks(body: string, firstLine = 1): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let current: CodeBlock | undefined;
  let fence = '';
  let indent = 0;
  for (const [index, text] of body.split(/\r?\n/).entries()) {
    const match = /^(\s{0,3})(`{3,}|~{3,})\s*(.*)$/.exec(text);
    if (!current && match) {
      fence = match[2];
      indent = match[1].length;
      current = { info: match[3].trim(), content: '', line: firstLine + index };
    } else if (current && match && match[2].startsWith(fence) && match[3].trim() === '') {
      blocks.push({ ...current, content: current.content.replace(/\n$/, '') });
      current = undefined;
    } else if (current) {
      // As CommonMark renders a fence indented in a list item: its content loses up to that many leading spaces.
      current.content += `${text.replace(new RegExp(`^ {0,${indent}}`), '')}\n`;
    }
  }
  return blocks;
}

/** Inline links `[text](target)` outside code blocks and code spans. */
export function extractLinks(body: string, firstLine = 1): Link[] {
  return lines(body, firstLine)
    .filter((line) => !line.isCode)
    .flatMap((line) =>
      [...line.text.replace(/`[^`]*`/g, '').matchAll(/\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
        (match) => ({ text: match[1], target: match[2], line: line.number })
      )
    );
}

/** Code spans outside fenced blocks, with their line. */
export function extractCodeSpans(body: string, firstLine = 1): Array<{ code: string; line: number }> {
  return lines(body, firstLine)
    .filter((line) => !line.isCode)
    .flatMap((line) => [...line.text.matchAll(/`([^`]+)`/g)].map((match) => ({ code: match[1], line: line.number })));
}

export type Segment = { kind: 'markdown'; text: string } | { kind: 'code'; info: string; content: string };

/**
 * Splits a body into markdown and fenced code blocks, so that code blocks (copy buttons, live blocks) can be
 * rendered as components. A fence's own indentation (inside a list item) is removed from its lines.
 */
export function splitSegments(body: string): Segment[] {
  const segments: Segment[] = [];
  let text: string[] = [];
  let code: { info: string; fence: string; indent: number; lines: string[] } | undefined;
  for (const line of body.split(/\r?\n/)) {
    const match = /^(\s{0,3})(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (!code && match) {
      if (text.length > 0) {
        segments.push({ kind: 'markdown', text: text.join('\n') });
        text = [];
      }
      code = { info: match[3].trim(), fence: match[2], indent: match[1].length, lines: [] };
    } else if (code && match && match[2].startsWith(code.fence) && match[3].trim() === '') {
      segments.push({ kind: 'code', info: code.info, content: code.lines.join('\n') });
      code = undefined;
    } else if (code) {
      const indent = /^ */.exec(line)![0].length;
      code.lines.push(line.slice(Math.min(indent, code.indent)));
    } else {
      text.push(line);
    }
  }
  if (code) {
    segments.push({ kind: 'code', info: code.info, content: code.lines.join('\n') });
  }
  if (text.some((line) => line.trim() !== '')) {
    segments.push({ kind: 'markdown', text: text.join('\n') });
  }
  return segments;
}

/** The markdown of one section: from its heading up to the next heading of the same or a higher level. */
export function sectionOf(body: string, headingText: string): string | undefined {
  const lines = body.split(/\r?\n/);
  const headings = extractHeadings(body);
  const start = headings.find((heading) => heading.text.toLowerCase() === headingText.toLowerCase());
  if (!start) {
    return undefined;
  }
  const end = headings.find((heading) => heading.line > start.line && heading.depth <= start.depth);
  return lines
    .slice(start.line - 1, end ? end.line - 1 : undefined)
    .join('\n')
    .trim();
}
