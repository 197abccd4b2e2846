import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

// Grafana's backendSrv.fetch contract over window.fetch: JSON bodies, a FetchError for non-2xx answers, abort on
// unsubscribe, and a newer request with the same requestId cancelling the older one.

const inFlight = new Map<string, AbortController>();

export function createBackendSrv(authorization: string): BackendSrv {
  const fetchObservable = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((subscriber) => {
      const controller = new AbortController();
      if (options.requestId) {
        inFlight.get(options.requestId)?.abort();
        inFlight.set(options.requestId, controller);
      }
      const query = options.params ? `?${new URLSearchParams(options.params).toString()}` : '';
      const isJson = options.data !== undefined && typeof options.data !== 'string';
      window
        .fetch(`${options.url}${query}`, {
          method: options.method ?? 'GET',
          headers: { authorization, ...(isJson ? { 'content-type': 'application/json' } : {}), ...options.headers },
          body: options.data === undefined ? undefined : isJson ? JSON.stringify(options.data) : options.data,
          signal: options.abortSignal ?? controller.signal,
        })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // Grafana passes unparsable bodies on as text, too.
          }
          if (!response.ok) {
            const error: FetchError = {
              status: response.status,
              statusText: response.statusText,
              data,
              config: options,
            };
            subscriber.error(error);
            return;
          }
          subscriber.next({
            data: data as T,
            status: response.status,
            statusText: response.statusText,
            ok: true,
            headers: response.headers,
            redirected: response.redirected,
            type: response.type,
            url: response.url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((error: Error) => {
          const cancelled = error.name === 'AbortError';
          subscriber.error({
            status: cancelled ? -1 : 0,
            data: {},
            cancelled,
            config: options,
            message: error.message,
          });
        })
        .finally(() => {
          if (options.requestId && inFlight.get(options.requestId) === controller) {
            inFlight.delete(options.requestId);
          }
        });
      return () => controller.abort();
    });

  const request = async <T>(options: BackendSrvRequest): Promise<T> => {
    const response = await new Promise<FetchResponse<T>>((resolve, reject) =>
      fetchObservable<T>(options).subscribe({ next: resolve, error: reject })
    );
    return response.data;
  };

  return {
    fetch: fetchObservable,
    request,
    get: (url: string, params?: Record<string, unknown>) => request({ url, params, method: 'GET' }),
    post: (url: string, data?: unknown) => request({ url, data, method: 'POST' }),
    put: (url: string, data?: unknown) => request({ url, data, method: 'PUT' }),
    patch: (url: string, data?: unknown) => request({ url, data, method: 'PATCH' }),
    delete: (url: string) => request({ url, method: 'DELETE' }),
    datasourceRequest: request,
    resolveCancelerIfExists: (requestId: string) => inFlight.get(requestId)?.abort(),
  } as unknown as BackendSrv;
}
