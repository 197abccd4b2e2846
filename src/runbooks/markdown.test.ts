import {
  extractCodeBlocks,
  extractCodeSpans,
  extractHeadings,
  extractLinks,
  headingAnchor,
  plainText,
  splitFrontMatter,
} from './markdown';

describe('headingAnchor', () => {
  it.each([
    ['When to Use', 'when-to-use'],
    ['When the event bus or Redis is down', 'when-the-event-bus-or-redis-is-down'],
    ['Rotate the event-bus token (overlap)', 'rotate-the-event-bus-token-overlap'],
    ['Step 2: retry up to `snapshotId`', 'step-2-retry-up-to-snapshotid'],
    ['401s at the API', '401s-at-the-api'],
  ])('%s → #%s, as GitHub writes it', (text, anchor) => {
    expect(headingAnchor(plainText(text))).toBe(anchor);
  });
});

describe('extractHeadings', () => {
  it('numbers repeated anchors the way GitHub does and skips code blocks', () => {
    const body = ['# Title', '## Verification', '```bash', '# not a heading', '```', '### Verification'].join('\n');

    expect(extractHeadings(body, 10)).toEqual([
      { depth: 1, text: 'Title', anchor: 'title', line: 10 },
      { depth: 2, text: 'Verification', anchor: 'verification', line: 11 },
      { depth: 3, text: 'Verification', anchor: 'verification-1', line: 15 },
    ]);
  });

  it('reads the text a reader sees from headings with links and code', () => {
    expect(extractHeadings('## Retry with [the panel](#x) or `curl`')[0].text).toBe('Retry with the panel or curl');
  });
});

describe('splitFrontMatter', () => {
  it('returns the YAML and where the body starts', () => {
    expect(splitFrontMatter('---\ntitle: A\nowner: b\n---\n# A\n')).toEqual({
      frontMatter: 'title: A\nowner: b',
      body: '# A\n',
      bodyLine: 5,
    });
  });

  it('treats a file without a leading --- as all body', () => {
    expect(splitFrontMatter('# A\n---\n')).toEqual({ body: '# A\n---\n', bodyLine: 1 });
  });
});

describe('extractCodeBlocks', () => {
  it('keeps the info string, the content and the opening line', () => {
    const body = ['text', '```bash exec', 'echo one', 'echo two', '```', '~~~dlq-health', 'stream=orders', '~~~'].join(
      '\n'
    );

    expect(extractCodeBlocks(body, 3)).toEqual([
      { info: 'bash exec', content: 'echo one\necho two', line: 4 },
      { info: 'dlq-health', content: 'stream=orders', line: 8 },
    ]);
  });

  it('takes a fence indented in a list item as it renders: without the indentation, so a heredoc ends', () => {
    const body = ['1. Run:', '', '   ```bash', "   psql <<'SQL'", '     SELECT 1;', '   SQL', '   ```'].join('\n');
    expect(extractCodeBlocks(body)).toEqual([{ info: 'bash', content: "psql <<'SQL'\n  SELECT 1;\nSQL", line: 3 }]);
  });

  it('does not close a block on a shorter or different fence', () => {
    const body = ['````markdown', '```bash', 'x', '```', '````'].join('\n');
    expect(extractCodeBlocks(body)).toEqual([{ info: 'markdown', content: '```bash\nx\n```', line: 1 }]);
  });
});

describe('extractLinks and extractCodeSpans', () => {
  it('finds links outside code, with their lines', () => {
    const body = ['See [DLQ](./dlq-management.md#retry) and `[not](a-link)`.', '```', '[nor](this)', '```'].join('\n');

    expect(extractLinks(body, 7)).toEqual([{ text: 'DLQ', target: './dlq-management.md#retry', line: 7 }]);
    expect(extractCodeSpans(body, 7)).toEqual([{ code: '[not](a-link)', line: 7 }]);
  });
});
