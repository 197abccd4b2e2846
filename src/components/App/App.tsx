import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';

import { PLUGIN_BASE_URL, ROUTES } from '../../constants';

const StatusPage = React.lazy(() => import('pages/StatusPage'));

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Status} element={<StatusPage />} />
      <Route path="*" element={<Navigate to={`${PLUGIN_BASE_URL}/${ROUTES.Status}`} replace />} />
    </Routes>
  );
}

export default App;
