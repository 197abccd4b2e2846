import { lastValueFrom, timeout } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';

/** Grafana's own API answers fast; a hung call must not leave an audit mark pending forever. */
const ANNOTATION_TIMEOUT_MS = 10_000;

export interface AnnotationInput {
  /** The dashboard the annotation belongs to; without it the annotation is organization-wide. */
  dashboardUID?: string;
  /** Epoch milliseconds. */
  time: number;
  tags: string[];
  text: string;
}

/**
 * Adds an annotation through Grafana's HTTP API. Without a `panelId` a dashboard annotation shows on every time
 * series of that dashboard, which is what an audit mark of a DLQ action wants.
 */
export async function createAnnotation({ dashboardUID, time, tags, text }: AnnotationInput): Promise<{ id?: number }> {
  const response = await lastValueFrom(
    getBackendSrv()
      .fetch<{ id?: number }>({
        url: '/api/annotations',
        method: 'POST',
        data: { ...(dashboardUID ? { dashboardUID } : {}), time, tags, text },
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(timeout(ANNOTATION_TIMEOUT_MS))
  );
  return response.data;
}
