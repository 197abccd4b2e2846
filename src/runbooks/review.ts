import { reviewDueDate, RunbookFrontMatter } from './runbook';

export type ReviewState = 'current' | 'due' | 'overdue';

/** Days before the due date from which a runbook shows as due for review. */
export const REVIEW_DUE_SOON_DAYS = 14;

export interface Review {
  state: ReviewState;
  /** First day the runbook is overdue, `YYYY-MM-DD`. */
  dueDate: string;
}

export function reviewOf(runbook: Pick<RunbookFrontMatter, 'lastReviewed' | 'reviewEvery'>, today: Date): Review {
  const due = reviewDueDate(runbook as RunbookFrontMatter);
  const daysLeft = (due.getTime() - today.getTime()) / 86_400_000;
  const state: ReviewState = daysLeft <= 0 ? 'overdue' : daysLeft <= REVIEW_DUE_SOON_DAYS ? 'due' : 'current';
  return { state, dueDate: due.toISOString().slice(0, 10) };
}

export type ExerciseState = ReviewState | 'never';

export interface Exercise {
  state: ExerciseState;
  /** The last drill, `YYYY-MM-DD`; absent when none is recorded. */
  lastExercised?: string;
  /** First day the drill is overdue, `YYYY-MM-DD`; absent when none is recorded. */
  dueDate?: string;
}

/** Whether the procedure has been drilled recently enough to trust, told like the review state. */
export function exerciseOf(
  runbook: Pick<RunbookFrontMatter, 'lastExercised' | 'exerciseEvery'>,
  today: Date
): Exercise {
  if (!runbook.lastExercised) {
    return { state: 'never' };
  }
  const { state, dueDate } = reviewOf(
    { lastReviewed: runbook.lastExercised, reviewEvery: runbook.exerciseEvery },
    today
  );
  return { state, lastExercised: runbook.lastExercised, dueDate };
}
