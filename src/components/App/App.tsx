import React from 'react';
import { Navigate, Route, Routes, useParams } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';

import { PLUGIN_BASE_URL, ROUTES } from '../../constants';

const RunbookIndexPage = React.lazy(() => import('pages/RunbookIndexPage'));
const RunbookPage = React.lazy(() => import('pages/RunbookPage'));
const RunbookBesidePage = React.lazy(() => import('pages/RunbookBesidePage'));
const AlertResolverPage = React.lazy(() => import('pages/AlertResolverPage'));
const StatusPage = React.lazy(() => import('pages/StatusPage'));

const BESIDE_SUFFIX = `/${ROUTES.Beside}`;

// Slugs may contain slashes (troubleshooting/auth-failures), so a runbook's path is the whole rest of the URL.
const RunbookRoute = () => {
  const path = useParams()['*'] ?? '';
  return path.endsWith(BESIDE_SUFFIX) ? (
    <RunbookBesidePage slug={path.slice(0, -BESIDE_SUFFIX.length)} />
  ) : (
    <RunbookPage slug={path} />
  );
};

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Runbooks} element={<RunbookIndexPage />} />
      <Route path={`${ROUTES.Runbooks}/*`} element={<RunbookRoute />} />
      <Route path={ROUTES.Alert} element={<AlertResolverPage />} />
      <Route path={ROUTES.Status} element={<StatusPage />} />
      <Route path="*" element={<Navigate to={`${PLUGIN_BASE_URL}/${ROUTES.Runbooks}`} replace />} />
    </Routes>
  );
}

export default App;
