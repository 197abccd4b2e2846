import { useCallback, useRef, useState } from 'react';
import { AppEvents } from '@grafana/data';
import { config, getAppEvents, hasPermission, isFetchError } from '@grafana/runtime';

import { createAnnotation } from 'api/annotations';
import { EventBusTimeoutError, purgeDlq, retryDlq, stopDlqOperations } from 'api/eventBus';
import { DlqStopResult, MutationResult } from 'api/eventBusTypes';

import { DLQ_ACTIONS } from '../../constants';
import { ActionPlan, planSummary, resultSummary, streamTag } from '../actions';
import { publishDlqChange } from './dlqChanges';
import { PanelProblem, toPanelProblem } from '../problems';

export interface ActionOutcome {
  plan: ActionPlan;
  /** The service's answer, for `ok`, `stopped`, `unknown` and `partial`. */
  result?: MutationResult;
  /** No answer within the deadline: the action may or may not have run. */
  isTimedOut?: boolean;
  /** The request was refused or failed before anything changed. */
  problem?: PanelProblem;
  /** The audit annotation: added, failed (with why), or not attempted because nothing could have changed. */
  annotation?: { state: 'pending' | 'added' | 'failed' | 'skipped'; error?: string };
}

/** The Stop button's request while an action runs. */
export type StopState =
  { state: 'sending' } | { state: 'requested'; result: DlqStopResult } | { state: 'failed'; problem: PanelProblem };

export interface DlqActionsState {
  canRetry: boolean;
  canPurge: boolean;
  /** Whether the user may stop a running retry or purge: the stop route requires the retry action. */
  canStop: boolean;
  /** The action waiting in the confirm modal. */
  planned?: ActionPlan;
  /** An action is being sent. */
  isRunning: boolean;
  /** The action being sent, while it is. */
  running?: ActionPlan;
  /** The stop asked for while the running action is in flight. */
  stop?: StopState;
  outcome?: ActionOutcome;
  /** Opens the confirm modal for an action. */
  request: (plan: ActionPlan) => void;
  dismiss: () => void;
  /** Sends the planned action; a second call while one is running does nothing. */
  confirm: () => Promise<void>;
  /**
   * Re-opens the confirm modal for the last action, with the same Idempotency-Key, after an uncertain or a stopped
   * outcome.
   */
  repeat: () => void;
  clearOutcome: () => void;
  /**
   * Asks the event bus to stop the running action after its current batch (every retry and purge running on the DLQ,
   * in fact); its own answer then comes back as `stopped`. Does nothing when no action runs or a stop is being sent.
   */
  requestStop: () => Promise<void>;
}

interface Options {
  /** The view acting, named in the change it publishes (dlqChanges.ts). */
  viewId: string;
  dashboardUID?: string;
  /** Called after every action that may have changed the DLQ, to read it again. */
  onChanged: () => void;
}

/** Retry and purge: permissions, confirmation, one request per confirmation, the result, a toast and an audit mark. */
export function useDlqActions({ viewId, dashboardUID, onChanged }: Options): DlqActionsState {
  const [planned, setPlanned] = useState<ActionPlan>();
  const [running, setRunning] = useState<ActionPlan>();
  const [stop, setStop] = useState<StopState>();
  const [outcome, setOutcome] = useState<ActionOutcome>();
  // State updates are asynchronous: two clicks in one frame both see `isRunning` false. The ref is synchronous.
  const inFlight = useRef(false);
  const stopInFlight = useRef(false);

  const request = useCallback((plan: ActionPlan) => {
    if (!inFlight.current) {
      setPlanned(plan);
    }
  }, []);
  const dismiss = useCallback(() => setPlanned(undefined), []);
  const repeat = useCallback(() => outcome && !inFlight.current && setPlanned(outcome.plan), [outcome]);
  const clearOutcome = useCallback(() => setOutcome(undefined), []);

  const confirm = useCallback(async () => {
    const plan = planned;
    if (!plan || inFlight.current) {
      return;
    }
    inFlight.current = true;
    setRunning(plan);
    setStop(undefined);
    setPlanned(undefined);
    setOutcome(undefined);
    const send = plan.action === 'retry' ? retryDlq : purgeDlq;
    let current: ActionOutcome;
    try {
      const result = await send(plan.selection, plan.idempotencyKey);
      current = { plan, result };
    } catch (error) {
      current =
        error instanceof EventBusTimeoutError ? { plan, isTimedOut: true } : { plan, problem: toPanelProblem(error) };
    } finally {
      inFlight.current = false;
      setRunning(undefined);
    }
    const mayHaveChanged = !current.problem;
    setOutcome({ ...current, annotation: { state: mayHaveChanged ? 'pending' : 'skipped' } });
    notify(current);
    // Whatever happened, the list on screen may be stale now; an unknown outcome must be re-read.
    onChanged();
    // The audit mark comes after the result is shown and the buttons are free again: it must never hide or hold up
    // the action's outcome.
    if (mayHaveChanged) {
      const annotation = await annotate(current, dashboardUID);
      setOutcome((shown) => (shown?.plan === plan ? { ...shown, annotation } : shown));
      // After the annotation, so that a dashboard reloaded for this change shows it.
      publishDlqChange({ source: viewId, dashboardUid: annotation?.state === 'added' ? dashboardUID : undefined });
    }
  }, [planned, viewId, dashboardUID, onChanged]);

  // No confirmation: stopping is the safe direction, and every batch already done stays done.
  const requestStop = useCallback(async () => {
    if (!inFlight.current || stopInFlight.current) {
      return;
    }
    stopInFlight.current = true;
    setStop({ state: 'sending' });
    try {
      setStop({ state: 'requested', result: await stopDlqOperations() });
    } catch (error) {
      setStop({ state: 'failed', problem: toPanelProblem(error) });
    } finally {
      stopInFlight.current = false;
    }
  }, []);

  return {
    canRetry: can(DLQ_ACTIONS.retry),
    canPurge: can(DLQ_ACTIONS.purge),
    canStop: can(DLQ_ACTIONS.retry),
    planned,
    isRunning: running !== undefined,
    running,
    stop,
    outcome,
    request,
    dismiss,
    confirm,
    repeat,
    clearOutcome,
    requestStop,
  };
}

// Fails closed: when Grafana cannot say who the user is, the panel stays read-only (the proxy enforces it anyway).
function can(action: string): boolean {
  try {
    return hasPermission(action);
  } catch {
    return false;
  }
}

/** Whether the outcome leaves the operator unsure what changed; a stopped action's counts are exact. */
export function isUncertain(outcome: ActionOutcome): boolean {
  return Boolean(
    outcome.isTimedOut || (outcome.result && outcome.result.outcome !== 'ok' && outcome.result.outcome !== 'stopped')
  );
}

function notify(outcome: ActionOutcome) {
  const title = planSummary(outcome.plan);
  let type = AppEvents.alertSuccess.name;
  let detail: string;
  if (outcome.problem) {
    type = AppEvents.alertError.name;
    detail = outcome.problem.title;
  } else if (outcome.result?.outcome === 'stopped') {
    type = AppEvents.alertWarning.name;
    detail = resultSummary(outcome.plan, outcome.result);
  } else if (outcome.result && !isUncertain(outcome)) {
    detail = resultSummary(outcome.plan, outcome.result);
  } else {
    type = AppEvents.alertWarning.name;
    detail = 'The outcome is unknown; the DLQ was re-read. Repeating the action is safe.';
  }
  getAppEvents().publish({ type, payload: [title, detail] });
}

async function annotate(outcome: ActionOutcome, dashboardUID?: string): Promise<ActionOutcome['annotation']> {
  const { plan, result } = outcome;
  const user = config.bootData?.user?.login || 'unknown user';
  const what = result
    ? `${resultSummary(plan, result)}${result.outcome === 'ok' ? '' : ` Outcome ${result.outcome}.`}`
    : 'No answer within the deadline: outcome unknown.';
  const operation = result?.operationId ? ` Operation ${result.operationId}.` : '';
  try {
    await createAnnotation({
      dashboardUID,
      time: Date.now(),
      tags: ['dlq', plan.action, streamTag(plan)],
      text: `DLQ ${plan.action} by ${user}: ${planSummary(plan)}. ${what}${operation}`,
    });
    return { state: 'added' };
  } catch (error) {
    return { state: 'failed', error: annotationError(error) };
  }
}

function annotationError(error: unknown): string {
  if (isFetchError(error)) {
    const message = typeof error.data?.message === 'string' ? `: ${error.data.message}` : '';
    return `Grafana answered ${error.status || 'without a status'}${message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
