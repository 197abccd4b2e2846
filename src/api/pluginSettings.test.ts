import { of, throwError } from 'rxjs';

import { describeSettingsError, getAppSettings, saveAppSettings } from './pluginSettings';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

describe('getAppSettings', () => {
  it('reads the settings of this app from Grafana', async () => {
    fetch.mockReturnValue(
      of({
        data: {
          enabled: true,
          pinned: true,
          jsonData: { eventBusUrl: 'http://event-bus:8080' },
          secureJsonFields: { eventBusToken: true },
        },
      })
    );

    await expect(getAppSettings()).resolves.toEqual({
      enabled: true,
      pinned: true,
      jsonData: { eventBusUrl: 'http://event-bus:8080' },
      secureJsonFields: { eventBusToken: true },
    });
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/opsdesk-runbooks-app/settings',
      method: 'GET',
      showErrorAlert: false,
    });
  });

  it('fills in what a never-configured app leaves out', async () => {
    fetch.mockReturnValue(of({ data: { enabled: false } }));

    await expect(getAppSettings()).resolves.toEqual({
      enabled: false,
      pinned: false,
      jsonData: {},
      secureJsonFields: {},
    });
  });
});

describe('saveAppSettings', () => {
  it('POSTs the update as given, so an absent secureJsonData keeps the stored secret', async () => {
    fetch.mockReturnValue(of({ data: { message: 'Plugin settings updated' } }));
    const update = { enabled: true, pinned: false, jsonData: { eventBusUrl: 'http://event-bus:8080' } };

    await saveAppSettings(update);

    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/opsdesk-runbooks-app/settings',
      method: 'POST',
      data: update,
      showSuccessAlert: false,
      showErrorAlert: false,
    });
  });

  it('rejects when Grafana refuses the update', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 403, data: {}, config: { url: '' } })));

    await expect(saveAppSettings({ enabled: true, pinned: false, jsonData: {} })).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('describeSettingsError', () => {
  it('explains a 403 as a permission problem', () => {
    expect(describeSettingsError({ status: 403, data: {}, config: { url: '' } })).toMatch(/organization admin/);
  });

  it("passes Grafana's message on for other failures", () => {
    expect(describeSettingsError({ status: 500, data: { message: 'database is locked' }, config: { url: '' } })).toBe(
      'Grafana answered 500: database is locked. Reload the page and try again.'
    );
  });
});
