import React from 'react';
import { Navigate, useLocation } from 'react-router-dom';

import { RUNBOOKS } from 'runbooks/catalog';
import { runbookIndexPath, runbookPath } from 'runbooks/urls';

/**
 * `/alert?alertname=...&<labels>`: opens the runbook whose front matter lists the alert, carrying every parameter;
 * with none, the index searching for the alert's name, saying why.
 */
const AlertResolverPage = () => {
  const params = new URLSearchParams(useLocation().search);
  const alertname = params.get('alertname') ?? '';
  const runbook = RUNBOOKS.find((candidate) => candidate.alerts.includes(alertname));
  const target = runbook
    ? runbookPath(runbook.slug, params)
    : runbookIndexPath(new URLSearchParams(alertname ? { q: alertname, unresolved: alertname } : {}));
  return <Navigate to={target} replace />;
};

export default AlertResolverPage;
