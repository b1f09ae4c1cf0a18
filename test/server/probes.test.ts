import t from 'tap';
import { http, https, startTestServer } from './harness.js';

t.test('healthz and readyz on the HTTPS port and on the metrics port', async (t) => {
  const server = await startTestServer(t);
  const { port, metricsPort } = server.handle;
  t.ok(port > 0 && metricsPort > 0 && port !== metricsPort, 'real ports bound');

  const health = await https({ port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.equal(health.status, 200);
  t.same(health.json(), { status: 'ok' });
  const ready = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.equal(ready.status, 200);
  t.match(ready.json(), { status: 'ready', ready: true, tlsLoaded: true, draining: false });
  t.equal(server.handle.isReady(), true);

  t.equal((await http(metricsPort, '/healthz')).status, 200);
  t.equal((await http(metricsPort, '/readyz')).status, 200);
  const missing = await http(metricsPort, '/nope');
  t.equal(missing.status, 404);
  t.match(missing.json(), { error: { code: 'ROUTE_NOT_FOUND', message: String } });
});

t.test('readyz turns 503 once draining, on both ports; healthz stays 200', async (t) => {
  const server = await startTestServer(t, { server: { drainSeconds: 2 } });
  const { port, metricsPort } = server.handle;
  const drained = server.handle.drain();
  const ready = await https({ port, ca: server.ca, method: 'GET', path: '/readyz' });
  t.equal(ready.status, 503);
  t.match(ready.json(), { status: 'not ready', ready: false, draining: true, tlsLoaded: true });
  t.equal((await http(metricsPort, '/readyz')).status, 503);
  t.equal((await https({ port, ca: server.ca, method: 'GET', path: '/healthz' })).status, 200);
  t.equal(server.handle.isReady(), false);
  await drained;
});
