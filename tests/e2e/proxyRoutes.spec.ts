import { PROXY, readDlq, test, expect, waitForDlqEntries } from './fixtures';

// How Grafana's data proxy treats the app's routes (plugin.json `routes`): what tests/harness/README.md lists as read
// from Grafana's source, seen here on a running Grafana. `X-Grafana-Context` reaching the service is checked
// with the Editor's retry in dlqPanel.spec.ts (the service records its login as the operation's actor); a route's
// `reqAction` refusing a Viewer there too.

const ROUTE_MISSING = 'plugin route match not found';

test('a route declared for one method answers no other: a GET on the retry path matches no route', async ({ page }) => {
  // Were routes matched by path prefix or any method, `GET api/events/dlq/retry` would reach the DLQ listing.
  const get = await page.request.get(`${PROXY}/dlq/retry`);
  expect(get.status()).toBe(404);
  expect((await get.json()).message).toBe(ROUTE_MISSING);

  const deleteHealth = await page.request.delete(`${PROXY}/health`);
  expect(deleteHealth.status()).toBe(404);
  expect((await deleteHealth.json()).message).toBe(ROUTE_MISSING);
});

test('the browser query string reaches the service', async ({ page }) => {
  const stream = '{events}:notifications';
  await waitForDlqEntries(page.request, stream, 3);

  const filtered = await readDlq(page.request, { stream, limit: 2 });
  expect(filtered.entries).toHaveLength(2);
  expect(filtered.entries.map((entry) => entry.stream)).toEqual([stream, stream]);
  const all = await readDlq(page.request, {});
  expect(all.total).toBeGreaterThan(filtered.total);

  // The service rejects parameters it does not know: only a forwarded query string can earn a 400.
  const unknown = await page.request.get(`${PROXY}/dlq`, { params: { count: 1 } });
  expect(unknown.status()).toBe(400);
  expect(typeof (await unknown.json()).message).toBe('string');
});

test("the wildcard route passes the rest of the path: an unknown operation is the service's 404", async ({ page }) => {
  const response = await page.request.get(`${PROXY}/dlq/operations/op_0000000000doesnotexist`);
  expect(response.status()).toBe(404);
  expect((await response.json()).error).toBe('operation_not_found');
});
