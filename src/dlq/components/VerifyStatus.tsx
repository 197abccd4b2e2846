import React from 'react';
import { LoadingPlaceholder, Text } from '@grafana/ui';

import { testIds } from 'components/testIds';

import { useOperationVerify, VERIFY_FOR_MS } from '../hooks/useOperationVerify';

interface Props {
  operationId: string;
  retried: number;
}

/** Whether the retried messages went through or came back, followed for a bounded time. */
export const VerifyStatus = ({ operationId, retried }: Props) => {
  const verify = useOperationVerify(operationId);
  const operation = verify?.operation;
  const refailed = operation?.refailed ?? 0;
  const pending = operation?.pending;
  let text: string;
  switch (verify?.phase) {
    case 'through':
      text = `Verified: all ${retried} retried messages were processed and none came back to the DLQ.`;
      break;
    case 'came-back':
      text = `${refailed} of ${retried} retried messages failed again and came back to the DLQ; the rest went through.`;
      break;
    case 'unknown':
      text =
        verify.lastError ??
        'The service cannot tell what became of these messages (too many to follow, or the record expired).';
      break;
    case 'stopped':
      text =
        `Stopped following after ${Math.round(VERIFY_FOR_MS / 1000)} s: ` +
        `${typeof pending === 'number' ? pending : 'an unknown number of'} still pending, ${refailed} came back.`;
      break;
    default:
      text =
        typeof pending === 'number'
          ? `Following the retry: ${pending} pending, ${refailed} came back so far.`
          : 'Following the retry...';
  }
  return (
    <div data-testid={testIds.dlqPanel.verify} data-phase={verify?.phase}>
      {verify?.phase === 'following' && !operation ? (
        <LoadingPlaceholder text={text} />
      ) : (
        <Text color={verify?.phase === 'came-back' ? 'warning' : undefined}>{text}</Text>
      )}
      {verify?.phase === 'following' && verify.lastError && (
        <Text variant="bodySmall" color="secondary">
          {' '}
          (last check failed: {verify.lastError})
        </Text>
      )}
    </div>
  );
};
