import t from 'tap';
import { http, https, startTestServer } from './harness.js';
import { NO_CLUSTER } from '../../src/cluster/context.js';

t.test('healthz and readyz on the HTTPS port and on the metrics port', async (t) => {
  const server = await startTestServer(t);
  const { port, metricsPort } = server.handle;
  t.ok(port > 0 && metricsPort > 0 && port !== metricsPort, 'real ports bound');

  const health = await https({ port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.strictSame(health.status, 200);
  t.strictSame(health.json(), { status: 'ok' });
  const ready = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.strictSame(ready.status, 200);
  t.strictSame(ready.json(), { status: 'ready', ready: true, tlsLoaded: true, draining: false, cachesSynced: true });
  t.strictSame(server.handle.isReady(), true);

  t.strictSame((await http(metricsPort, '/healthz')).status, 200);
  t.strictSame((await http(metricsPort, '/readyz')).status, 200);
  const missing = await http(metricsPort, '/nope');
  t.strictSame(missing.status, 404);
  t.hasStrict(missing.json(), { error: { code: 'ROUTE_NOT_FOUND' } });
  t.matchStrict(missing.json(), { error: { message: String } });
});

t.test('readyz turns 503 once draining, on both ports; healthz stays 200', async (t) => {
  const server = await startTestServer(t, { server: { drainSeconds: 2 } });
  const { port, metricsPort } = server.handle;
  const drained = server.handle.drain();
  const ready = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.strictSame(ready.status, 503);
  t.strictSame(ready.json(), { status: 'not ready', ready: false, draining: true, tlsLoaded: true, cachesSynced: true });
  t.strictSame((await http(metricsPort, '/readyz')).status, 503);
  t.strictSame((await https({ port, ca: server.ca, method: 'GET', path: '/healthz' })).status, 200);
  t.strictSame(server.handle.isReady(), false);
  await drained;
});

t.test('readyz is 503 until the cluster caches have synced, then 200', async (t) => {
  let synced = false;
  const server = await startTestServer(t, { options: { cluster: { context: NO_CLUSTER, synced: () => synced } } });
  const { port, metricsPort } = server.handle;
  const before = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.strictSame([before.status, before.json()], [503, { status: 'not ready', ready: false, tlsLoaded: true, draining: false, cachesSynced: false }]);
  t.strictSame((await http(metricsPort, '/readyz')).status, 503, 'the metrics port says the same');
  synced = true;
  const after = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.strictSame([after.status, after.json()], [200, { status: 'ready', ready: true, tlsLoaded: true, draining: false, cachesSynced: true }]);
});
