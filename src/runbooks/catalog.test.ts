import fs from 'fs';
import path from 'path';

import { findRunbook, loadRunbookContent, loadSearchHeadings, RUNBOOK_INDEX, RUNBOOKS } from './catalog';
import { TEMPLATE_SECTIONS } from './runbook';

// Reads the files with nothing but regular expressions, independently of the parser that builds the catalog.
const dir = path.resolve(__dirname, '..', '..', 'runbooks');
const files = (fs.readdirSync(dir, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.md') && file !== 'README.md')
  .map((file) => ({ slug: file.replace(/\.md$/, ''), text: fs.readFileSync(path.join(dir, file), 'utf8') }));

function frontMatterValue(text: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1].replace(/^"(.*)"$/, '$1');
}

describe('the runbook catalog', () => {
  it('has exactly one entry per runbook file, keyed by its path without .md', () => {
    expect(RUNBOOKS.map((runbook) => runbook.slug).sort()).toEqual(files.map((file) => file.slug).sort());
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)('carries the front matter of $slug', ({ slug, text }) => {
    const entry = findRunbook(slug)!;
    expect(entry.title).toBe(frontMatterValue(text, 'title'));
    expect(entry.owner).toBe(frontMatterValue(text, 'owner'));
    expect(entry.escalation).toBe(frontMatterValue(text, 'escalation'));
    expect(entry.lastReviewed).toBe(frontMatterValue(text, 'last_reviewed'));
    expect(entry.reviewEvery).toBe(Number(frontMatterValue(text, 'review_every')));
    expect(`[${entry.alerts.join(', ')}]`).toBe(frontMatterValue(text, 'alerts'));
    expect(`[${entry.tags.join(', ')}]`).toBe(frontMatterValue(text, 'tags'));
  });

  it.each(files)('loads the section headings of $slug in file order', async ({ slug, text }) => {
    const lines = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').split('\n');
    const sections = lines.filter((line) => /^## /.test(line)).map((line) => line.slice(3).trim());
    const content = await loadRunbookContent(findRunbook(slug)!);

    expect(content.headings.filter((heading) => heading.depth === 2).map((heading) => heading.text)).toEqual(sections);
    expect(sections).toEqual([...TEMPLATE_SECTIONS]);
  });

  it.each(files)('gives search the headings of $slug other than the template sections', async ({ slug, text }) => {
    const lines = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').split('\n');
    const steps = lines.filter((line) => /^###+ /.test(line)).map((line) => line.replace(/^#+ /, '').trim());

    expect((await loadSearchHeadings())[slug]).toEqual(steps);
    expect(findRunbook(slug)).not.toHaveProperty('headings');
  });

  it.each(files)(
    'loads the body of $slug without its front matter, and keeps it out of the card',
    async ({ slug, text }) => {
      const entry = findRunbook(slug)!;
      const { body } = await loadRunbookContent(entry);
      expect(text.endsWith(body)).toBe(true);
      expect(body).not.toMatch(/^---/);
      expect(body).toContain(`# ${entry.title}`);
      expect(JSON.stringify(entry)).not.toContain(body.slice(0, 200));
    }
  );

  it('includes the index with its escalation path', () => {
    expect(RUNBOOK_INDEX.body).toBe(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'));
    expect(RUNBOOK_INDEX.headings.map((heading) => heading.text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/escalation/i)])
    );
  });

  it('finds nothing for an unknown slug', () => {
    expect(findRunbook('no-such-runbook')).toBeUndefined();
  });
});
