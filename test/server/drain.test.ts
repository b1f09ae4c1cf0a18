import { Agent } from 'node:https';
import t from 'tap';
import { JSON_HEADERS, fixtureText, https, sleep, startTestServer } from './harness.js';

const fixture = await fixtureText();

t.test('drain: not ready, Connection: close, still serving (in-flight too), then closed', async (t) => {
  const server = await startTestServer(t, {
    server: { drainSeconds: 1 },
    options: {
      extraRoutes: (app) => {
        app.get('/slow', async () => {
          // Outlives the 1 s drain period: still running when close() begins.
          await sleep(1500);
          return { done: true };
        });
      },
    },
  });
  const { port } = server.handle;
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const base = { port, ca: server.ca, body: fixture, headers: JSON_HEADERS, agent };

  const before = await https(base);
  t.strictSame(before.status, 200);
  t.not(before.headers.connection, 'close', 'keep-alive before draining');

  const started = Date.now();
  const drained = server.handle.drain();
  t.strictSame(server.handle.drain(), drained, 'drain() is idempotent');
  let drainEnded = 0;
  void drained.then(() => (drainEnded = Date.now()));
  const slow = https({ port, ca: server.ca, method: 'GET', path: '/slow' });

  const ready = await https({ port, ca: server.ca, method: 'GET', path: '/readyz', agent });
  t.strictSame(ready.status, 503, 'readyz is 503 while draining');
  t.strictSame(ready.headers.connection, 'close');

  for (let i = 0; i < 5; i += 1) {
    const during = await https(base);
    t.strictSame(during.status, 200, `admission ${i + 1} during the drain succeeds`);
    t.strictSame(during.headers.connection, 'close', 'and tells the client to reconnect');
  }

  const slowAnswer = await slow;
  t.strictSame(slowAnswer.status, 200, 'an in-flight request completes across the close');
  t.strictSame(slowAnswer.json(), { done: true });
  await drained;
  t.ok(drainEnded - started >= 1000, 'drain lasted drainSeconds');
  await t.rejects(https({ port, ca: server.ca, method: 'GET', path: '/healthz' }), { code: 'ECONNREFUSED' }, 'closed afterwards');
  t.ok(server.logs.lines.some((line) => line.msg === 'server closed'));
});

t.test('close() does not wait for TLS connections that never send a request', async (t) => {
  const server = await startTestServer(t, { server: { drainSeconds: 0 } });
  const { connect } = await import('node:tls');
  // kube-apiserver's client keeps connections like this one open between admissions.
  const idle = connect({ host: '127.0.0.1', port: server.handle.port, ca: server.ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => idle.once('secureConnect', resolve).once('error', reject));
  let closedByServer = false;
  idle.on('close', () => (closedByServer = true));
  idle.on('error', () => undefined);
  const started = Date.now();
  await server.handle.close();
  t.ok(Date.now() - started < 5000, `close() finished in ${Date.now() - started} ms despite the idle connection`);
  await sleep(100);
  t.ok(closedByServer, 'the idle connection was closed by the server');
  idle.destroy();
});
