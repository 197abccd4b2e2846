/** Non-secret app settings, stored in `jsonData` and readable by every viewer. */
export interface AppJsonData {
  /** Base URL at which Grafana's server reaches the event-bus API, without a trailing slash. */
  eventBusUrl?: string;
}

/** Secret app settings, stored encrypted in `secureJsonData`; the browser only learns whether each is set. */
export interface AppSecureJsonData {
  eventBusToken?: string;
}
