import { sendJson, userOf } from '../grafanaProxy';
import { ApiHandler, BAD_REQUEST, readJson } from './state';

// `POST /api/annotations`: what the DLQ panel writes after a retry or purge.

export const handleAnnotations: ApiHandler = async (request, response, { url, state, users, dashboards }) => {
  const { pathname } = url;
  if (pathname === '/api/annotations' && request.method === 'POST') {
    // pkg/api/annotations.go PostAnnotation.
    const body = await readJson(request);
    if (!body || (body.time !== undefined && typeof body.time !== 'number')) {
      sendJson(response, 400, BAD_REQUEST);
      return true;
    }
    if (typeof body.text !== 'string' || body.text === '') {
      sendJson(response, 400, { message: 'Failed to save annotation' });
      return true;
    }
    // canCreateAnnotation: a Viewer can edit no dashboard and may create no organization annotation.
    const user = userOf(request, users);
    if (!user) {
      sendJson(response, 401, { message: 'Unauthorized' });
      return true;
    }
    if (user.role === 'Viewer') {
      sendJson(response, 403, { message: 'Access denied to this dashboard' });
      return true;
    }
    // A dashboardUID that names no dashboard is dropped: the annotation becomes the organization's.
    const stored = { ...body };
    if (typeof body.dashboardUID !== 'string' || !dashboards.has(body.dashboardUID)) {
      delete stored.dashboardUID;
    }
    state.annotations.push(stored);
    sendJson(response, 200, { message: 'Annotation added', id: state.annotations.length });
    return true;
  }

  return false;
};
