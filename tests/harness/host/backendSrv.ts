import { lastValueFrom, map, Observable, throwError } from 'rxjs';
import { AppEvents, DataQueryErrorType, type EventBus, validatePath } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

// Grafana's backendSrv (public/app/core/services/backend_srv.ts, with public/app/core/utils/fetch.ts and
// public/app/core/utils/query.ts) over the Fetch API, as far as a plugin can see it: request building, response
// parsing, FetchError and its normalisation, toasts, and requestId cancellation. Not emulated: the FetchQueue's
// concurrency limits, the 401 retry after token rotation or loginPing, the query inspector stream, and `chunked`.
//
// It runs in the browser host page and in Node (tests/harness/host.test.ts): it uses globalThis.fetch and guards
// every use of `window`. @grafana/runtime is imported for types only: the host page sets window.grafanaBootData
// before it loads @grafana/runtime, and a value import here would load it first.

/** A toast the harness's backendSrv raised, as Grafana's AlertsSrv would show it. */
export interface HarnessToast {
  /** `alert-success`, `alert-warning` or `alert-error` (AppEvents from @grafana/data). */
  type: string;
  text: string;
  description?: string;
}

declare global {
  interface Window {
    /** Every toast the harness's backendSrv raised, oldest first, for the browser tests to check. */
    __harnessToasts?: HarnessToast[];
  }
}

/** The toasts raised so far in this page (an empty list outside a browser). */
export function harnessToasts(): readonly HarnessToast[] {
  return typeof window === 'undefined' ? [] : (window.__harnessToasts ?? []);
}

export interface BackendSrvDependencies {
  /** The Fetch API; `globalThis.fetch` by default. */
  fetch?: typeof globalThis.fetch;
  /**
   * Where toasts are published; `getAppEvents()` from @grafana/runtime by default, read when a toast is raised, since
   * the host page calls setAppEvents after setBackendSrv.
   */
  getAppEvents?: () => EventBus | Promise<EventBus>;
  /**
   * What a local URL resolves against: Grafana's `<base href="[[.AppSubUrl]]/">`. The host page has no base element,
   * so this stands in for it; `${window.location.origin}/` by default.
   */
  baseUrl?: string;
  /** The signed-in user's org, sent as X-Grafana-Org-Id; `grafanaBootData.user.orgId` by default. */
  orgId?: number;
}

export type HarnessBackendSrv = BackendSrv & {
  resolveCancelerIfExists(requestId: string): void;
  cancelAllInFlightRequests(): void;
};

/** The error a request ends with when a newer one with its requestId (or a cancel-all) supersedes it. */
interface CancelledError {
  type: DataQueryErrorType;
  cancelled: true;
  data: null;
  status: number;
  statusText: string;
  config: BackendSrvRequest;
}

type RequestError = (FetchError | (Error & Partial<FetchError>)) & { data: any };

const GRAFANA_TRACEID_HEADER = 'grafana-trace-id';

// public/app/core/utils/query.ts isLocalUrl
const isLocalUrl = (url: string) => !url.match(/^http/);

// public/app/core/utils/query.ts isDataQuery
const isDataQuery = (url: string) =>
  url.indexOf('api/datasources/proxy') !== -1 ||
  url.indexOf('api/tsdb/query') !== -1 ||
  url.indexOf('api/ds/query') !== -1;

// public/app/core/utils/fetch.ts isContentTypeJson
const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const isContentTypeJson = (headers: Headers) =>
  JSON_CONTENT_TYPES.includes(headers.get('content-type')?.toLowerCase() ?? '');

// public/app/core/utils/fetch.ts sanitizeHeader: header values outside ISO-8859-1 are URI-encoded.
const sanitizeHeader = (value: string) => (/[^\u0000-\u00ff]/.test(value) ? encodeURI(value) : value);

// public/app/core/utils/fetch.ts parseHeaders: accept by default; POST, PUT and PATCH default to JSON.
function parseHeaders(options: BackendSrvRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    headers.set(sanitizeHeader(key), sanitizeHeader(String(value)));
  }
  const method = options.method?.toLowerCase() ?? '';
  if ((method === 'post' || method === 'put' || method === 'patch') && !headers.get('content-type')) {
    headers.set('content-type', 'application/json');
  }
  if (!headers.get('accept')) {
    headers.set('accept', 'application/json, text/plain, */*');
  }
  return headers;
}

// public/app/core/utils/fetch.ts parseBody: strings and blobs as they are, objects as JSON when the content-type is
// JSON, otherwise form-encoded.
function parseBody(data: unknown, isJson: boolean): BodyInit | undefined {
  if (data == null) {
    return undefined;
  }
  if (typeof data === 'string' || data instanceof Blob || data instanceof URLSearchParams) {
    return data;
  }
  if (isJson) {
    return JSON.stringify(data);
  }
  if (Array.isArray(data)) {
    return new URLSearchParams(
      data.map((pair) => (Array.isArray(pair) && pair.length >= 2 ? [String(pair[0]), String(pair[1])] : ['', '']))
    );
  }
  if (typeof data === 'object') {
    return new URLSearchParams(Object.entries(data).map(([key, value]) => [key, String(value)]));
  }
  return new URLSearchParams(String(data));
}

// public/app/core/utils/fetch.ts parseUrlFromOptions and serializeParams: undefined, '' and [] values are dropped,
// arrays repeat their key (k=a&k=b), everything else goes through String() and encodeURIComponent.
export function serializeRequestUrl(options: Pick<BackendSrvRequest, 'url' | 'params' | 'validatePath'>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value === undefined || ((Array.isArray(value) || typeof value === 'string') && value.length === 0)) {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  const url = options.validatePath ? validatePath(options.url) : options.url;
  return options.params && pairs.length ? `${url}?${pairs.join('&')}` : url;
}

// public/app/core/utils/fetch.ts parseResponseBody: JSON for a JSON content-type ({} when Content-Length is 0),
// otherwise text, parsed as JSON when it parses; an empty body therefore gives ''.
async function parseResponseBody(response: Response, responseType?: BackendSrvRequest['responseType']) {
  switch (responseType) {
    case 'arraybuffer':
      return response.arrayBuffer();
    case 'blob':
      return response.blob();
    case 'json':
      if (response.headers.get('Content-Length') === '0') {
        console.warn(`${response.url} returned an invalid JSON`);
        return {};
      }
      return response.json();
    case 'text':
      return response.text();
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function bootDataOrgId(): number | undefined {
  if (typeof window === 'undefined') {
    return undefined;
  }
  return (window as unknown as { grafanaBootData?: { user?: { orgId?: number } } }).grafanaBootData?.user?.orgId;
}

const defaultAppEvents = async (): Promise<EventBus> => (await import('@grafana/runtime')).getAppEvents();

/**
 * Grafana's backendSrv for the harness. `authorization` is the harness's stand-in for Grafana's session cookie: the
 * harness server signs the user in from this bearer token, where Grafana reads the `grafana_session` cookie.
 */
export function createBackendSrv(authorization: string, deps: BackendSrvDependencies = {}): HarnessBackendSrv {
  const doFetch = deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const getAppEvents = deps.getAppEvents ?? defaultAppEvents;
  const baseUrl = () => deps.baseUrl ?? (typeof window === 'undefined' ? undefined : `${window.location.origin}/`);

  /** Requests not yet answered, each with what cancels it. */
  const inFlight = new Set<{ requestId?: string; cancel: () => void }>();

  /** What AppEvents.emit(type, payload) does on Grafana's EventBusSrv: publish `{ type, payload }`. */
  const publish = (type: string, payload: [string, string?, string?]) => {
    if (typeof window !== 'undefined') {
      const [text, description] = payload;
      (window.__harnessToasts ??= []).push(description ? { type, text, description } : { type, text });
    }
    Promise.resolve(getAppEvents())
      .then((events) => events.publish({ type, payload }))
      .catch((error) => console.error('harness backendSrv: no appEvents to publish a toast on', error));
  };

  // public/app/core/services/backend_srv.ts parseRequestOptions: it changes the caller's options in place.
  const parseRequestOptions = (options: BackendSrvRequest) => {
    options.retry = options.retry ?? 0;
    if (isLocalUrl(options.url)) {
      const orgId = deps.orgId ?? bootDataOrgId();
      if (orgId) {
        options.headers = options.headers ?? {};
        options.headers['X-Grafana-Org-Id'] = orgId;
      }
      if (options.url.startsWith('/')) {
        options.url = options.url.substring(1);
      }
      if (options.headers?.Authorization) {
        options.headers['X-DS-Authorization'] = options.headers.Authorization;
        delete options.headers.Authorization;
      }
    }
    if (options.hideFromInspector === undefined) {
      options.hideFromInspector = isLocalUrl(options.url) && !isDataQuery(options.url);
    }
  };

  // public/app/core/services/backend_srv.ts showSuccessAlert: non-GET local requests whose answer has a message.
  const showSuccessAlert = (response: FetchResponse) => {
    const { config } = response;
    if (config.showSuccessAlert === false) {
      return;
    }
    if (
      config.showSuccessAlert === undefined &&
      (config.method === 'GET' || isDataQuery(config.url) || !isLocalUrl(config.url))
    ) {
      return;
    }
    const message = (response.data as { message?: unknown } | undefined)?.message;
    if (message) {
      publish(AppEvents.alertSuccess.name, [String(message)]);
    }
  };

  // public/app/core/services/backend_srv.ts showErrorAlert: local, non-data-query requests; < 500 warns, else errors.
  const showErrorAlert = (config: BackendSrvRequest, err: RequestError) => {
    if (config.showErrorAlert === false) {
      return;
    }
    if (config.showErrorAlert === undefined && (isDataQuery(config.url) || !isLocalUrl(config.url))) {
      return;
    }
    let description = '';
    let message = String(err.data.message);
    if (message === 'Unexpected error' && err.message) {
      message = err.message;
    }
    if (message.length > 80) {
      description = message;
      message = 'Error';
    }
    if (err.status === 422) {
      description = err.data.message;
      message = 'Validation failed';
    }
    // `err.status < 500` is false for a network failure, which has no status: Grafana shows it as an error.
    const type = (err.status as number) < 500 ? AppEvents.alertWarning.name : AppEvents.alertError.name;
    publish(type, [message, description, err.data.traceID]);
  };

  // public/app/core/services/backend_srv.ts processRequestError: `data` made an object, then a toast 50 ms later
  // unless the caller set `isHandled`.
  const processRequestError = (options: BackendSrvRequest, err: RequestError): RequestError => {
    err.data = err.data ?? { message: 'Unexpected error' };
    if (typeof err.data === 'string') {
      err.data = { message: err.data, error: err.statusText, response: err.data };
    }
    if (err.data && !err.data.message && typeof err.data.error === 'string') {
      err.data.message = err.data.error;
    }
    if (err.data.message) {
      setTimeout(() => {
        if (!err.isHandled) {
          showErrorAlert(options, err);
        }
      }, 50);
    }
    return err;
  };

  // public/app/core/services/backend_srv.ts getFromFetchStream and handleStreamResponse.
  const send = async <T>(options: BackendSrvRequest, signal: AbortSignal): Promise<FetchResponse<T>> => {
    const headers = parseHeaders(options);
    const local = isLocalUrl(options.url);
    const base = baseUrl();
    const url = serializeRequestUrl(options);
    const target = local && base ? new URL(url, base).toString() : url;
    // The harness's stand-in for the session cookie, which the browser sends to Grafana's own origin only.
    if (local || (base && new URL(target).origin === new URL(base).origin)) {
      headers.set('authorization', authorization);
    }
    const response = await doFetch(target, {
      method: options.method,
      headers,
      body: parseBody(options.data, isContentTypeJson(headers)),
      credentials: options.credentials ?? (options.withCredentials ? 'include' : 'same-origin'),
      signal,
    });
    const { status, statusText, ok, redirected, type } = response;
    const responseType = options.responseType ?? (isContentTypeJson(response.headers) ? 'json' : undefined);
    const data = (await parseResponseBody(response, responseType)) as T;
    const traceId = response.headers.get(GRAFANA_TRACEID_HEADER) ?? undefined;
    if (!ok) {
      const error: FetchError = { status, statusText, data, config: options, traceId };
      throw error;
    }
    return {
      status,
      statusText,
      ok,
      data,
      headers: response.headers,
      url: response.url,
      type,
      redirected,
      config: options,
      traceId,
    };
  };

  const fetch = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      // public/app/core/services/backend_srv.ts internalFetch: a request with a requestId ends the earlier ones with it.
      if (options.requestId) {
        cancel((entry) => entry.requestId === options.requestId);
      }
      parseRequestOptions(options);

      // rxjs fromFetch (which Grafana uses): unsubscribing aborts the call; the caller's abortSignal aborts it too,
      // and that abort reaches the caller as an error like any other failed fetch.
      const controller = new AbortController();
      const outer = options.abortSignal;
      const onOuterAbort = () => controller.abort();
      if (outer?.aborted) {
        controller.abort();
      }
      outer?.addEventListener('abort', onOuterAbort);

      let settled = false;
      const entry = {
        requestId: options.requestId,
        // public/app/core/services/backend_srv.ts handleStreamCancellation: takeUntil, then throwIfEmpty; no
        // processRequestError, so no toast.
        cancel: () => {
          if (settled) {
            return;
          }
          settled = true;
          controller.abort();
          const cancelled: CancelledError = {
            type: DataQueryErrorType.Cancelled,
            cancelled: true,
            data: null,
            status: -1,
            statusText: 'Request was aborted',
            config: options,
          };
          subscriber.error(cancelled);
        },
      };
      inFlight.add(entry);

      send<T>(options, controller.signal).then(
        (response) => {
          if (settled) {
            return;
          }
          settled = true;
          inFlight.delete(entry);
          showSuccessAlert(response);
          subscriber.next(response);
          subscriber.complete();
        },
        (error: RequestError) => {
          if (settled) {
            return;
          }
          settled = true;
          inFlight.delete(entry);
          // public/app/core/services/backend_srv.ts handleStreamError: a network failure is the fetch's own TypeError.
          subscriber.error(processRequestError(options, error));
        }
      );

      // Unsubscribed by the caller: the call is aborted and nothing more is emitted.
      return () => {
        settled = true;
        inFlight.delete(entry);
        outer?.removeEventListener('abort', onOuterAbort);
        controller.abort();
      };
    });

  const cancel = (matches: (entry: { requestId?: string }) => boolean) => {
    for (const entry of [...inFlight]) {
      if (matches(entry)) {
        inFlight.delete(entry);
        entry.cancel();
      }
    }
  };

  // public/app/core/services/backend_srv.ts request
  const request = <T>(options: BackendSrvRequest): Promise<T> =>
    lastValueFrom(fetch<T>(options).pipe(map((response) => response.data)));

  type Options = Partial<BackendSrvRequest> | undefined;
  return {
    fetch,
    request,
    // public/app/core/services/backend_srv.ts datasourceRequest: the whole response, not only its data.
    datasourceRequest: <T>(options: BackendSrvRequest) => lastValueFrom(fetch<T>(options)),
    get: <T>(url: string, params?: BackendSrvRequest['params'], requestId?: string, options?: Options) =>
      request<T>({ ...options, method: 'GET', url, params, requestId }),
    delete: <T>(url: string, data?: unknown, options?: Options) =>
      request<T>({ ...options, method: 'DELETE', url, data }),
    post: <T>(url: string, data?: unknown, options?: Options) => request<T>({ ...options, method: 'POST', url, data }),
    patch: <T>(url: string, data?: unknown, options?: Options) =>
      request<T>({ ...options, method: 'PATCH', url, data }),
    put: <T>(url: string, data?: unknown, options?: Options) => request<T>({ ...options, method: 'PUT', url, data }),
    chunked: () => throwError(() => new Error('The harness does not emulate backendSrv.chunked')),
    // public/app/core/services/backend_srv.ts resolveCancelerIfExists and cancelAllInFlightRequests
    resolveCancelerIfExists: (requestId: string) => cancel((entry) => entry.requestId === requestId),
    cancelAllInFlightRequests: () => cancel(() => true),
  };
}
