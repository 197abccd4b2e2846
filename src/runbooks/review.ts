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
