// Writes N distinct runbooks that pass the runbook checker, for the scale benchmark and the own-folder test. The text
// is drawn from the vocabulary of this repository's runbooks by a seeded generator, so every file differs and
// compresses about as real prose does (a repeated template would make the gzip figures look better than they are).
import fs from 'node:fs';
import path from 'node:path';

import { TEMPLATE_SECTIONS } from '../../src/runbooks/runbook';

const REPO_RUNBOOKS = path.resolve(__dirname, '..', '..', 'runbooks');
const OWNERS = ['platform-team', 'agents-team', 'api-team', 'data-team', 'identity-team', 'payments-team'];
const TAGS = ['database', 'redis', 'network', 'certificates', 'storage', 'queues', 'deploys', 'latency', 'capacity'];
/** Dashboards the repository provisions, so the checker's dashboard rule passes. */
const DASHBOARDS = ['opsdesk-event-bus', 'opsdesk-platform-overview'];
/** Subfolder of the runbook folder the synthetic runbooks are written to. */
export const SYNTHETIC_DIR = 'synthetic';

/** Mulberry32: small, seeded, good enough to vary text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain lowercase words of the repository's runbooks: no metric names, paths, hosts or anything a rule inspects. */
function vocabulary(): string[] {
  const text = (fs.readdirSync(REPO_RUNBOOKS, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.md'))
    .map((file) => fs.readFileSync(path.join(REPO_RUNBOOKS, file), 'utf8'))
    .join(' ');
  return [...new Set(text.toLowerCase().match(/(?<![\w./:-])[a-z]{3,12}(?![\w./:-])/g) ?? [])].sort();
}

export interface SyntheticOptions {
  /** Markdown bytes per runbook, roughly; the repository's average is about 17 kB. */
  bytesPerRunbook?: number;
  seed?: number;
  /** Review date written to every front matter (`YYYY-MM-DD`); today by default, so none is stale. */
  today?: string;
}

/** Writes `count` runbooks to `<dir>/synthetic/`, linking to each other and to the repository's DLQ runbook. */
export function writeSyntheticRunbooks(dir: string, count: number, options: SyntheticOptions = {}): string[] {
  const { bytesPerRunbook = 14_000, seed = 1, today = new Date().toISOString().slice(0, 10) } = options;
  const words = vocabulary();
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const sentence = (length = 8 + Math.floor(next() * 12)) => {
    const text = Array.from({ length }, () => pick(words)).join(' ');
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 3 + Math.floor(next() * 4) }, () => sentence()).join(' ');
  const name = (index: number) => `synthetic-${String(index).padStart(4, '0')}`;
  const titles = Array.from({ length: count }, (_, index) => `${sentence(3).slice(0, -1)} ${index}`);

  const folder = path.join(dir, SYNTHETIC_DIR);
  fs.mkdirSync(folder, { recursive: true });
  const written: string[] = [];
  for (let index = 0; index < count; index++) {
    const related = [1, 2, 3].map((step) => (index + step * 7) % count).filter((other) => other !== index);
    const sections: Record<(typeof TEMPLATE_SECTIONS)[number], string> = {
      Overview: `${paragraph()}\n\n${paragraph()}`,
      'When to Use': Array.from({ length: 3 }, () => `- ${sentence()}`).join('\n'),
      Prerequisites: Array.from({ length: 3 }, () => `- ${sentence()}`).join('\n'),
      Procedure: '',
      Verification: `${paragraph()}\n\n| Check | Expected |\n| --- | --- |\n| ${sentence(3)} | ${sentence(4)} |`,
      Rollback: paragraph(),
      Related: [
        ...related.map((other) => `- [${titles[other]}](${name(other)}.md)`),
        '- [DLQ management](../dlq-management.md)',
      ].join('\n'),
    };
    let steps = '';
    for (let step = 1; steps.length < bytesPerRunbook * 0.7; step++) {
      steps += `\n\n### ${step}. ${sentence(4).slice(0, -1)}\n\n${paragraph()}\n\n`;
      steps += `\`\`\`bash\necho "${sentence(6)}"\n\`\`\`\n\n${paragraph()}`;
    }
    sections.Procedure = steps.trim();
    const source = [
      '---',
      `title: ${titles[index]}`,
      `owner: ${pick(OWNERS)}`,
      `escalation: "#${pick(OWNERS)}-oncall"`,
      `last_reviewed: ${today}`,
      'review_every: 180',
      `last_exercised: ${today}`,
      'alerts: []',
      `dashboards: [${pick(DASHBOARDS)}]`,
      `tags: [${[...new Set([pick(TAGS), pick(TAGS)])].join(', ')}]`,
      '---',
      '',
      `# ${titles[index]}`,
      '',
      ...TEMPLATE_SECTIONS.flatMap((section) => [`## ${section}`, '', sections[section], '']),
    ].join('\n');
    const file = path.join(folder, `${name(index)}.md`);
    fs.writeFileSync(file, source);
    written.push(file);
  }
  return written;
}

/** A runbook folder outside the repository: a copy of the repository's runbooks plus `synthetic` generated ones. */
export function makeRunbookFolder(dir: string, synthetic: number, options?: SyntheticOptions): void {
  fs.cpSync(REPO_RUNBOOKS, dir, { recursive: true });
  if (synthetic > 0) {
    writeSyntheticRunbooks(dir, synthetic, options);
  }
}
