import React from 'react';
import { ConfirmModal, Text } from '@grafana/ui';

import { ActionPlan, planDetail, planSummary } from '../actions';

interface Props {
  plan?: ActionPlan;
  isRunning: boolean;
  onConfirm: () => Promise<void>;
  onDismiss: () => void;
}

/** The confirmation of one action, saying exactly what will happen; purge must be typed out. */
export const ConfirmAction = ({ plan, isRunning, onConfirm, onDismiss }: Props) => {
  if (!plan) {
    return null;
  }
  const isPurge = plan.action === 'purge';
  return (
    <ConfirmModal
      isOpen
      title={planSummary(plan)}
      body={<Text>{planDetail(plan)}</Text>}
      confirmText={isPurge ? `Purge ${plan.count}` : `Retry ${plan.count}`}
      confirmVariant={isPurge ? 'destructive' : 'primary'}
      confirmationText={isPurge ? 'purge' : undefined}
      disabled={isRunning}
      onConfirm={onConfirm}
      onDismiss={onDismiss}
    />
  );
};
