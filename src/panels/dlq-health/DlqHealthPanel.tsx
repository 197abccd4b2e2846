import React, { useEffect, useMemo, useState } from 'react';
import { PanelProps } from '@grafana/data';
import { RefreshEvent } from '@grafana/runtime';

import { DlqPanelOptions, layoutFor, normalizeOptions } from 'dlq/options';
import { DlqHealthView } from 'dlq/components/DlqHealthView';

type Props = PanelProps<DlqPanelOptions>;

const DASHBOARD_UID_VARIABLE = '${__dashboard.uid}';

/** The panel plugin's entry component: follows the dashboard's refresh and picks the layout from its size. */
export const DlqHealthPanel = ({ options, width, height, eventBus, data, replaceVariables }: Props) => {
  const normalized = useMemo(() => normalizeOptions(options), [options]);
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => {
    if (!normalized.refreshOnDashboard) {
      return;
    }
    const subscription = eventBus.getStream(RefreshEvent).subscribe(() => setRefreshKey((n) => n + 1));
    return () => subscription.unsubscribe();
  }, [eventBus, normalized.refreshOnDashboard]);

  return (
    <DlqHealthView
      options={normalized}
      layout={layoutFor(width, height)}
      refreshKey={refreshKey}
      dashboardUid={dashboardUidOf(data.request?.dashboardUID, replaceVariables)}
    />
  );
};

// The query request names the dashboard when the panel ran one; `${__dashboard.uid}` works without queries.
function dashboardUidOf(fromRequest: string | undefined, replaceVariables: Props['replaceVariables']) {
  if (fromRequest) {
    return fromRequest;
  }
  const replaced = replaceVariables(DASHBOARD_UID_VARIABLE);
  return replaced && replaced !== DASHBOARD_UID_VARIABLE ? replaced : undefined;
}
