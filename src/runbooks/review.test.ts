import { exerciseOf, reviewOf } from './review';

const TODAY = new Date('2026-12-05T12:00:00Z');

describe('reviewOf', () => {
  it('is current, then due in its last 14 days, then overdue', () => {
    expect(reviewOf({ lastReviewed: '2026-11-01', reviewEvery: 90 }, TODAY)).toEqual({
      state: 'current',
      dueDate: '2027-01-30',
    });
    expect(reviewOf({ lastReviewed: '2026-09-10', reviewEvery: 90 }, TODAY).state).toBe('due');
    expect(reviewOf({ lastReviewed: '2026-09-01', reviewEvery: 90 }, TODAY).state).toBe('overdue');
  });
});

describe('exerciseOf', () => {
  it('says when no drill is recorded', () => {
    expect(exerciseOf({ lastExercised: null, exerciseEvery: 180 }, TODAY)).toEqual({ state: 'never' });
  });

  it('ages a drill over its own period, like a review', () => {
    expect(exerciseOf({ lastExercised: '2026-10-01', exerciseEvery: 180 }, TODAY)).toEqual({
      state: 'current',
      lastExercised: '2026-10-01',
      dueDate: '2027-03-30',
    });
    expect(exerciseOf({ lastExercised: '2026-06-15', exerciseEvery: 180 }, TODAY).state).toBe('due');
    expect(exerciseOf({ lastExercised: '2026-05-01', exerciseEvery: 180 }, TODAY)).toMatchObject({
      state: 'overdue',
      dueDate: '2026-10-28',
    });
  });
});
