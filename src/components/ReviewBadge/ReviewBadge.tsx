import React from 'react';
import { Badge, BadgeColor, IconName } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { Exercise, ExerciseState, Review, ReviewState } from 'runbooks/review';

const LOOK: Record<ReviewState, { color: BadgeColor; icon: IconName; text: (review: Review) => string }> = {
  current: { color: 'green', icon: 'check', text: (review) => `Reviewed, next by ${review.dueDate}` },
  due: { color: 'orange', icon: 'clock-nine', text: (review) => `Review due by ${review.dueDate}` },
  overdue: { color: 'red', icon: 'exclamation-triangle', text: (review) => `Review overdue since ${review.dueDate}` },
};

/** The review state in words and colour, never colour alone. */
export const ReviewBadge = ({ review }: { review: Review }) => {
  const look = LOOK[review.state];
  return (
    <Badge color={look.color} icon={look.icon} text={look.text(review)} data-testid={testIds.runbook.reviewBadge} />
  );
};

const EXERCISE_LOOK: Record<
  ExerciseState,
  { color: BadgeColor; icon: IconName; text: (exercise: Exercise) => string }
> = {
  never: { color: 'orange', icon: 'exclamation-triangle', text: () => 'Never drilled' },
  current: { color: 'green', icon: 'check', text: (exercise) => `Drilled ${exercise.lastExercised}` },
  due: { color: 'orange', icon: 'clock-nine', text: (exercise) => `Drill due by ${exercise.dueDate}` },
  overdue: {
    color: 'red',
    icon: 'exclamation-triangle',
    text: (exercise) => `Drill overdue since ${exercise.dueDate}`,
  },
};

/** When the procedure was last followed for real in a drill, flagged like the review when it is not recent. */
export const ExerciseBadge = ({ exercise }: { exercise: Exercise }) => {
  const look = EXERCISE_LOOK[exercise.state];
  return (
    <Badge color={look.color} icon={look.icon} text={look.text(exercise)} data-testid={testIds.runbook.exerciseBadge} />
  );
};
