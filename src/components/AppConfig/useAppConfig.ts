import { useCallback, useEffect, useRef, useState } from 'react';

import { getEventBusHealth } from 'api/eventBus';
import { describeEventBusProblem, describeHealth, StatusMessage } from 'dlq/eventBusStatus';
import {
  AppSettings,
  AppSettingsUpdate,
  describeSettingsError,
  getAppSettings,
  saveAppSettings,
} from 'api/pluginSettings';

interface Form {
  url: string;
  token: string;
  isTokenConfigured: boolean;
  /** The operator cleared the stored token: saving with an empty field removes it. */
  isTokenReset: boolean;
}

export type SaveResult = { kind: 'saved' } | { kind: 'failed'; message: string };

export interface AppConfigState {
  loading: boolean;
  loadError?: string;
  form: Form;
  /** Shown once the operator tried to save; `undefined` when the URL is valid. */
  urlError?: string;
  isBusy: boolean;
  isTesting: boolean;
  saveResult?: SaveResult;
  testResult?: StatusMessage;
  actions: {
    setUrl: (url: string) => void;
    setToken: (token: string) => void;
    resetToken: () => void;
    save: () => Promise<void>;
    saveAndTest: () => Promise<void>;
  };
}

const EMPTY_FORM: Form = { url: '', token: '', isTokenConfigured: false, isTokenReset: false };

/** Loads the app settings fresh, edits them, saves them, and tests the event bus through the proxy. */
export function useAppConfig(): AppConfigState {
  const [settings, setSettings] = useState<AppSettings>();
  const [loadError, setLoadError] = useState<string>();
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [isSubmitted, setIsSubmitted] = useState(false);
  const [isBusy, setIsBusy] = useState(false);
  const [isTesting, setIsTesting] = useState(false);
  const [saveResult, setSaveResult] = useState<SaveResult>();
  const [testResult, setTestResult] = useState<StatusMessage>();
  // A ref, not state: two clicks in the same frame both see the state of the render before either.
  const busyRef = useRef(false);

  useEffect(() => {
    getAppSettings().then(
      (loaded) => {
        setSettings(loaded);
        setForm({
          url: loaded.jsonData.eventBusUrl ?? '',
          token: '',
          isTokenConfigured: Boolean(loaded.secureJsonFields.eventBusToken),
          isTokenReset: false,
        });
      },
      (error) => setLoadError(describeSettingsError(error))
    );
  }, []);

  const urlError = isSubmitted ? validateEventBusUrl(form.url) : undefined;

  const persist = useCallback(async (): Promise<boolean> => {
    setIsSubmitted(true);
    setSaveResult(undefined);
    setTestResult(undefined);
    if (!settings || validateEventBusUrl(form.url)) {
      return false;
    }
    const update: AppSettingsUpdate = {
      enabled: settings.enabled,
      pinned: settings.pinned,
      jsonData: { ...settings.jsonData, eventBusUrl: normalizeEventBusUrl(form.url) },
    };
    const isTokenChanged = form.token !== '' || form.isTokenReset;
    if (isTokenChanged) {
      update.secureJsonData = { eventBusToken: form.token };
    }
    try {
      await saveAppSettings(update);
    } catch (error) {
      setSaveResult({ kind: 'failed', message: describeSettingsError(error) });
      return false;
    }
    const isTokenConfigured = isTokenChanged ? form.token !== '' : form.isTokenConfigured;
    setSettings({
      ...settings,
      jsonData: update.jsonData,
      secureJsonFields: { ...settings.secureJsonFields, eventBusToken: isTokenConfigured },
    });
    setForm({ url: update.jsonData.eventBusUrl ?? '', token: '', isTokenConfigured, isTokenReset: false });
    setSaveResult({ kind: 'saved' });
    return true;
  }, [settings, form]);

  const runExclusive = useCallback(async (work: () => Promise<void>) => {
    if (busyRef.current) {
      return;
    }
    busyRef.current = true;
    setIsBusy(true);
    try {
      await work();
    } finally {
      busyRef.current = false;
      setIsBusy(false);
    }
  }, []);

  const save = useCallback(() => runExclusive(async () => void (await persist())), [runExclusive, persist]);

  const saveAndTest = useCallback(
    () =>
      runExclusive(async () => {
        if (!(await persist())) {
          return;
        }
        setIsTesting(true);
        try {
          setTestResult(describeHealth(await getEventBusHealth()));
        } catch (error) {
          setTestResult(describeEventBusProblem(error));
        } finally {
          setIsTesting(false);
        }
      }),
    [runExclusive, persist]
  );

  const actions = {
    setUrl: (url: string) => setForm((current) => ({ ...current, url })),
    setToken: (token: string) => setForm((current) => ({ ...current, token })),
    resetToken: () => setForm((current) => ({ ...current, token: '', isTokenConfigured: false, isTokenReset: true })),
    save,
    saveAndTest,
  };

  return {
    loading: !settings && !loadError,
    loadError,
    form,
    urlError,
    isBusy,
    isTesting,
    saveResult,
    testResult,
    actions,
  };
}

/** Returns what is wrong with the URL for an operator, or `undefined` when Grafana can proxy to it. */
export function validateEventBusUrl(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') {
    return 'Enter the URL at which the Grafana server reaches the event-bus service, for example http://event-bus:8080.';
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return 'This is not a URL. Write it with its scheme, for example http://event-bus:8080.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'Use an http:// or https:// URL.';
  }
  if (url.username || url.password) {
    // jsonData is readable by every viewer: a password in the URL would leak.
    return 'Remove the user name and password from the URL; the token field carries the credentials.';
  }
  if (url.search || url.hash) {
    return 'Remove the query string and fragment: Grafana uses only the scheme, host and path of this URL.';
  }
  return undefined;
}

/** The routes append `/api/events/...`, so a trailing slash would double it. */
export function normalizeEventBusUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}
