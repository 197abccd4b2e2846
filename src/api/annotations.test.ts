import { of } from 'rxjs';

import { createAnnotation } from './annotations';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

describe('createAnnotation', () => {
  it('POSTs a dashboard annotation without a panel, so it shows on every graph of the dashboard', async () => {
    fetch.mockReturnValue(of({ data: { id: 3 } }));

    await expect(
      createAnnotation({ dashboardUID: 'dash-1', time: 1000, tags: ['dlq', 'retry', '{events}:orders'], text: 'x' })
    ).resolves.toEqual({ id: 3 });
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/annotations',
      method: 'POST',
      data: { dashboardUID: 'dash-1', time: 1000, tags: ['dlq', 'retry', '{events}:orders'], text: 'x' },
      showErrorAlert: false,
      showSuccessAlert: false,
    });
  });

  it('makes an organization annotation when there is no dashboard', async () => {
    fetch.mockReturnValue(of({ data: {} }));

    await createAnnotation({ time: 1000, tags: ['dlq'], text: 'x' });
    expect(fetch.mock.calls[0][0].data).toEqual({ time: 1000, tags: ['dlq'], text: 'x' });
  });
});
