import { parse } from 'yaml';

import { extractHeadings, Heading, splitFrontMatter } from './markdown';

/** The H2 sections every runbook has, in this order. */
export const TEMPLATE_SECTIONS = [
  'Overview',
  'When to Use',
  'Prerequisites',
  'Procedure',
  'Verification',
  'Rollback',
  'Related',
] as const;

export interface RunbookFrontMatter {
  title: string;
  /** Team handle that keeps the runbook true. */
  owner: string;
  /** Who to page next, and how, when the procedure does not resolve it. */
  escalation: string;
  /** `YYYY-MM-DD` */
  lastReviewed: string;
  /** Days after `lastReviewed` by which the runbook must be reviewed again. */
  reviewEvery: number;
  /** `YYYY-MM-DD` of the last drill that followed the procedure for real; null when none is recorded. */
  lastExercised: string | null;
  /** Days after `lastExercised` by which the procedure must be drilled again. */
  exerciseEvery: number;
  /** Alert rule names this runbook answers. */
  alerts: string[];
  /** Uids of the dashboards this runbook relates to. */
  dashboards: string[];
  tags: string[];
}

export interface FrontMatterProblem {
  key: string;
  message: string;
}

export interface ParsedRunbook {
  /** File path under `runbooks/` without `.md`: the page URL, `runbook_url` and links all use it. */
  slug: string;
  frontMatter?: RunbookFrontMatter;
  frontMatterProblems: FrontMatterProblem[];
  /** Raw front matter text, for locating keys; `undefined` when the file has none. */
  frontMatterText?: string;
  body: string;
  bodyLine: number;
  headings: Heading[];
}

/** `runbooks/troubleshooting/auth-failures.md` → `troubleshooting/auth-failures` */
export function slugOf(pathUnderRunbooks: string): string {
  return pathUnderRunbooks.replace(/^\.?\/?/, '').replace(/\.md$/, '');
}

export function parseRunbook(slug: string, source: string): ParsedRunbook {
  const { frontMatter: frontMatterText, body, bodyLine } = splitFrontMatter(source);
  const headings = extractHeadings(body, bodyLine);
  if (frontMatterText === undefined) {
    return {
      slug,
      frontMatterProblems: [{ key: '', message: 'has no front matter' }],
      body,
      bodyLine,
      headings,
    };
  }
  let raw: unknown;
  try {
    raw = parse(frontMatterText);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      slug,
      frontMatterProblems: [{ key: '', message: `front matter is not valid YAML: ${message}` }],
      frontMatterText,
      body,
      bodyLine,
      headings,
    };
  }
  const { value, problems } = readFrontMatter(raw);
  return { slug, frontMatter: value, frontMatterProblems: problems, frontMatterText, body, bodyLine, headings };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Days between drills when a runbook does not say (`exercise_every`): twice a year. */
export const DEFAULT_EXERCISE_EVERY = 180;

function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value));
}

function isDays(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function readFrontMatter(raw: unknown): { value?: RunbookFrontMatter; problems: FrontMatterProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problems: [{ key: '', message: 'front matter must be a YAML mapping of keys to values' }] };
  }
  const data = raw as Record<string, unknown>;
  const problems: FrontMatterProblem[] = [];
  const text = (key: string): string => {
    const value = data[key];
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push({ key, message: `\`${key}\` must be a non-empty string` });
      return '';
    }
    return value;
  };
  const list = (key: string, isEmptyAllowed: boolean): string[] => {
    const value = data[key];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.trim() !== '')) {
      problems.push({ key, message: `\`${key}\` must be a list of strings, for example [a, b]` });
      return [];
    }
    if (!isEmptyAllowed && value.length === 0) {
      problems.push({ key, message: `\`${key}\` must name at least one entry` });
    }
    return value;
  };

  const title = text('title');
  const owner = text('owner');
  const escalation = text('escalation');
  const lastReviewed = data.last_reviewed;
  if (!isDate(lastReviewed)) {
    problems.push({ key: 'last_reviewed', message: '`last_reviewed` must be a date written as YYYY-MM-DD' });
  }
  const reviewEvery = data.review_every;
  if (!isDays(reviewEvery)) {
    problems.push({ key: 'review_every', message: '`review_every` must be a whole number of days, above 0' });
  }
  // Optional: a runbook no one has drilled says so by leaving it out (or writing `never`), and is flagged for it.
  const lastExercised = data.last_exercised ?? 'never';
  if (lastExercised !== 'never' && !isDate(lastExercised)) {
    problems.push({
      key: 'last_exercised',
      message: '`last_exercised` must be the date of the last drill, written as YYYY-MM-DD, or never',
    });
  }
  const exerciseEvery = data.exercise_every ?? DEFAULT_EXERCISE_EVERY;
  if (!isDays(exerciseEvery)) {
    problems.push({ key: 'exercise_every', message: '`exercise_every` must be a whole number of days, above 0' });
  }
  const alerts = list('alerts', true);
  const dashboards = list('dashboards', true);
  const tags = list('tags', false);

  const known = [
    'title',
    'owner',
    'escalation',
    'last_reviewed',
    'review_every',
    'last_exercised',
    'exercise_every',
    'alerts',
    'dashboards',
    'tags',
  ];
  for (const key of Object.keys(data).filter((key) => !known.includes(key))) {
    problems.push({ key, message: `\`${key}\` is not a front matter key; the keys are ${known.join(', ')}` });
  }
  if (problems.length > 0) {
    return { problems };
  }
  return {
    value: {
      title,
      owner,
      escalation,
      lastReviewed: lastReviewed as string,
      reviewEvery: reviewEvery as number,
      lastExercised: lastExercised === 'never' ? null : (lastExercised as string),
      exerciseEvery: exerciseEvery as number,
      alerts,
      dashboards,
      tags,
    },
    problems,
  };
}

/** The first day on which the runbook is past its review. */
export function reviewDueDate({ lastReviewed, reviewEvery }: RunbookFrontMatter): Date {
  const due = new Date(`${lastReviewed}T00:00:00Z`);
  due.setUTCDate(due.getUTCDate() + reviewEvery);
  return due;
}
