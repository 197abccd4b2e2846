import { reviewOf } from './review';
import type { CatalogRunbook } from './runbooks.catalog';
import { allOwners, allTags, searchRunbooks } from './search';

function runbook(overrides: Partial<CatalogRunbook>): CatalogRunbook {
  return {
    slug: 'x',
    title: 'X',
    owner: 'platform-team',
    escalation: '#platform-oncall',
    lastReviewed: '2026-11-01',
    reviewEvery: 90,
    lastExercised: null,
    exerciseEvery: 180,
    alerts: [],
    dashboards: [],
    tags: [],
    group: 0,
    ...overrides,
  };
}

const RUNBOOKS = [
  runbook({
    slug: 'dlq-management',
    title: 'DLQ management',
    tags: ['dlq', 'redis'],
    alerts: ['EventBusDlqBacklogGrowing'],
  }),
  runbook({
    slug: 'key-rotation',
    title: 'Key rotation',
    tags: ['secrets'],
  }),
  runbook({ slug: 'troubleshooting/agent-errors', title: 'Agent errors', owner: 'agents-team', tags: ['agents'] }),
];

const HEADINGS = { 'key-rotation': ['Rotate the event-bus token'] };

const slugs = (query: string, tags: string[] = [], owners: string[] = []) =>
  searchRunbooks(RUNBOOKS, { query, tags, owners }, HEADINGS).map((result) => result.runbook.slug);

describe('searchRunbooks', () => {
  it('lists everything for an empty query', () => {
    expect(slugs('')).toEqual(['dlq-management', 'key-rotation', 'troubleshooting/agent-errors']);
  });

  it.each([
    ['dlq', ['dlq-management']],
    ['EventBusDlqBacklog', ['dlq-management']],
    ['redis', ['dlq-management']],
    ['event-bus token', ['key-rotation']],
    ['AGENT', ['troubleshooting/agent-errors']],
    ['nothing like this', []],
  ])('finds %p in titles, tags, alerts and headings', (query, expected) => {
    expect(slugs(query)).toEqual(expected);
  });

  it('says what matched when it was not the title', () => {
    expect(searchRunbooks(RUNBOOKS, { query: 'token', tags: [], owners: [] }, HEADINGS)[0].matchedOn).toBe(
      'heading: Rotate the event-bus token'
    );
  });

  it('ranks title matches first', () => {
    const runbooks = [
      runbook({ slug: 'a', title: 'A', tags: ['rotation'] }),
      runbook({ slug: 'b', title: 'Key rotation' }),
    ];
    expect(searchRunbooks(runbooks, { query: 'rotation', tags: [], owners: [] }).map((r) => r.runbook.slug)).toEqual([
      'b',
      'a',
    ]);
  });

  it('narrows by every selected tag and by owner', () => {
    expect(slugs('', ['dlq', 'redis'])).toEqual(['dlq-management']);
    expect(slugs('', ['dlq', 'secrets'])).toEqual([]);
    expect(slugs('', [], ['agents-team'])).toEqual(['troubleshooting/agent-errors']);
  });

  it('lists the tags and owners to filter by', () => {
    expect(allTags(RUNBOOKS)).toEqual(['agents', 'dlq', 'redis', 'secrets']);
    expect(allOwners(RUNBOOKS)).toEqual(['agents-team', 'platform-team']);
  });
});

describe('reviewOf', () => {
  const reviewed = { lastReviewed: '2026-09-01', reviewEvery: 90 };

  it.each([
    ['2026-11-01', 'current'],
    ['2026-11-16', 'due'],
    ['2026-11-30', 'overdue'],
    ['2027-03-01', 'overdue'],
  ])('on %s a runbook due on 2026-11-30 is %s', (today, state) => {
    expect(reviewOf(reviewed, new Date(`${today}T12:00:00Z`))).toEqual({ state, dueDate: '2026-11-30' });
  });
});
