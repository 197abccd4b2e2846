import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { AppJsonData, AppSecureJsonData } from 'types';

import { PLUGIN_ID } from '../constants';

const SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

export interface AppSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Which secrets are stored; their values never reach the browser. */
  secureJsonFields: Partial<Record<keyof AppSecureJsonData, boolean>>;
}

export interface AppSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Only the secrets that changed: a key left out keeps its stored value, an empty string clears it. */
  secureJsonData?: AppSecureJsonData;
}

/** Reads the app's settings fresh from Grafana (the plugin meta handed to pages is cached and goes stale on save). */
export async function getAppSettings(): Promise<AppSettings> {
  const response = await lastValueFrom(
    getBackendSrv().fetch<Partial<AppSettings>>({ url: SETTINGS_URL, method: 'GET', showErrorAlert: false })
  );
  const { enabled = false, pinned = false, jsonData, secureJsonFields } = response.data;
  return { enabled, pinned, jsonData: jsonData ?? {}, secureJsonFields: secureJsonFields ?? {} };
}

export async function saveAppSettings(update: AppSettingsUpdate): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: SETTINGS_URL,
      method: 'POST',
      data: update,
      showSuccessAlert: false,
      showErrorAlert: false,
    })
  );
}

/** Puts a failed settings call into words for the person looking at the page. */
export function describeSettingsError(error: unknown): string {
  if (isFetchError(error)) {
    if (error.status === 403) {
      return 'Your Grafana role may not read or change the settings of this app. Ask an organization admin.';
    }
    const message = typeof error.data?.message === 'string' ? `: ${error.data.message}` : '';
    return `Grafana answered ${error.status || 'without a status'}${message}. Reload the page and try again.`;
  }
  return error instanceof Error ? error.message : String(error);
}
