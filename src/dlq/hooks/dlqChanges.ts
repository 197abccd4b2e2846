import { useEffect } from 'react';
import { BusEventWithPayload } from '@grafana/data';
import { getAppEvents } from '@grafana/runtime';

import { newRequestId } from 'api/eventBus';

import { PLUGIN_ID } from '../../constants';

export interface DlqChange {
  /** The view that retried or purged, so that it does not re-read twice. */
  source: string;
  /** The dashboard the action's annotation went to, if any. */
  dashboardUid?: string;
}

/**
 * A retry or purge in one DLQ view changed the DLQ: every other view on the page reads it again, so a runbook's live
 * block and the dashboard panel beside it never show two answers. Published on Grafana's app event bus, the one
 * `getAppEvents()` returns to every plugin on the page: the app and the nested panel are separate bundles with
 * separate classes, and the bus matches events by their `type` string (`EventBusSrv` in @grafana/data 13.1.1,
 * packages/grafana-data/src/events/EventBus.ts: `emitter.emit(event.type)`, `emitter.on(eventType.type)`).
 */
export class DlqChangedEvent extends BusEventWithPayload<DlqChange> {
  static type = `${PLUGIN_ID}/dlq-changed`;
}

/** A name for one view, unique across the bundles on the page. */
export function newViewId(): string {
  return newRequestId('dlq-view');
}

export function publishDlqChange(change: DlqChange) {
  getAppEvents().publish(new DlqChangedEvent(change));
}

/** Calls `onChange` when a view other than `viewId` changed the DLQ; `onChange` should be stable (useCallback). */
export function useDlqChanges(viewId: string, onChange: (change: DlqChange) => void) {
  useEffect(() => {
    const subscription = getAppEvents()
      .getStream(DlqChangedEvent)
      .subscribe((event) => {
        if (event.payload.source !== viewId) {
          onChange(event.payload);
        }
      });
    return () => subscription.unsubscribe();
  }, [viewId, onChange]);
}
