import React from 'react';
import { Badge, BadgeColor, IconName } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { Review, ReviewState } from 'runbooks/review';

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
