// The nested panel's entry. Everything is imported eagerly: chunks of a nested plugin are requested from the wrong
// URL (plugin-tools #2172), so nothing here may be lazy.
import { PanelPlugin } from '@grafana/data';

import { DlqHealthPanel } from './DlqHealthPanel';
import { DEFAULT_OPTIONS, DlqPanelOptions } from 'dlq/options';

export const plugin = new PanelPlugin<DlqPanelOptions>(DlqHealthPanel).setNoPadding().setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'stream',
      name: 'Stream filter',
      description: 'Origin stream the panel opens on, for example orders or {events}:orders. Empty for all streams.',
      defaultValue: DEFAULT_OPTIONS.stream,
    })
    .addNumberInput({
      path: 'pageSize',
      name: 'Page size',
      description: 'DLQ entries per page (1 to 500). The panel never loads more than one page.',
      defaultValue: DEFAULT_OPTIONS.pageSize,
      settings: { min: 1, max: 500, integer: true },
    })
    .addBooleanSwitch({
      path: 'showActions',
      name: 'Show actions',
      description: 'Retry and purge buttons; each still needs its permission. Off makes the panel read-only.',
      defaultValue: DEFAULT_OPTIONS.showActions,
    })
    .addBooleanSwitch({
      path: 'refreshOnDashboard',
      name: 'Refresh with the dashboard',
      description: 'Read the DLQ again on every dashboard refresh; off reads it only on load and when asked.',
      defaultValue: DEFAULT_OPTIONS.refreshOnDashboard,
    })
    .addTextInput({
      path: 'runbook',
      name: 'Runbook',
      description: 'Slug of the runbook the panel links to, opened beside this dashboard.',
      defaultValue: DEFAULT_OPTIONS.runbook,
    })
    .addNumberInput({
      path: 'degradedDepth',
      name: 'Degraded above DLQ depth',
      description: 'Show degraded when the DLQ holds more entries than this. 0 leaves it to the event bus.',
      defaultValue: DEFAULT_OPTIONS.degradedDepth,
      settings: { min: 0, integer: true },
      category: ['Thresholds'],
    })
    .addNumberInput({
      path: 'degradedOldestAgeSeconds',
      name: 'Degraded above oldest age (seconds)',
      description: 'Show degraded when the oldest entry is older than this. 0 leaves it to the event bus.',
      defaultValue: DEFAULT_OPTIONS.degradedOldestAgeSeconds,
      settings: { min: 0, integer: true },
      category: ['Thresholds'],
    })
);
