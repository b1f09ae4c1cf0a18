import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:https';
import t from 'tap';
import { issueServingCertificate } from '../../src/pki/index.js';
import { startServer } from '../../src/server/index.js';
import {
  JSON_HEADERS,
  KubeletSecretDir,
  captureLogger,
  devCerts,
  eventually,
  fixtureText,
  http,
  https,
  metricValue,
  serialOf,
  sleep,
  tempDir,
  testConfig,
} from './harness.js';

const fixture = await fixtureText();

function mustIssue(ca: { cert: string; key: string }, hosts: string[]): { cert: string; key: string } {
  const issued = issueServingCertificate(ca, { hosts, validityDays: 2 });
  if (!issued.ok) throw new Error(issued.error.message);
  return issued.value;
}

t.test('a kubelet-style ..data swap is picked up while requests flow, with zero failures', async (t) => {
  const certs = await devCerts(t);
  const ca = { cert: certs.caCertPem, key: await readFile(certs.files.caKey, 'utf8') };
  const first = mustIssue(ca, ['first.test', '127.0.0.1']);
  const second = mustIssue(ca, ['rotated.test', '127.0.0.1']);
  const secretDir = await tempDir(t, 'fsi-secret-');
  const secret = new KubeletSecretDir(secretDir);
  await secret.write({ 'tls.crt': first.cert, 'tls.key': first.key });

  const logs = captureLogger();
  // A long poll interval: the change must be seen by the folder watch.
  const handle = await startServer(testConfig({ certFile: join(secretDir, 'tls.crt'), keyFile: join(secretDir, 'tls.key') }), {
    logger: logs.logger,
    tlsReload: { debounceMs: 100, pollIntervalMs: 60_000 },
  });
  t.teardown(() => handle.close());
  const port = handle.port;
  const fresh = () => https({ port, ca: certs.caCertPem, method: 'GET', path: '/healthz' });
  t.strictSame((await fresh()).serial, serialOf(first.cert), 'serving the first certificate');

  let stop = false;
  let succeeded = 0;
  const failures: string[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 2 });
  t.teardown(() => keepAlive.destroy());
  const loop = async (agent: Agent | false): Promise<void> => {
    while (!stop) {
      try {
        const answer = await https({ port, ca: certs.caCertPem, body: fixture, headers: JSON_HEADERS, agent });
        if (answer.status === 200) succeeded += 1;
        else failures.push(`HTTP ${answer.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  // Reused connections and a new connection (a new handshake) per request, side by side.
  const loops = [loop(keepAlive), loop(keepAlive), loop(false), loop(false)];

  await sleep(300);
  const beforeSwap = succeeded;
  await secret.write({ 'tls.crt': second.cert, 'tls.key': second.key });
  const seen = await eventually(async () => (await fresh()).serial === serialOf(second.cert), 5000);
  t.ok(seen, 'new connections see the new certificate');
  await sleep(300);
  stop = true;
  await Promise.all(loops);

  t.strictSame(failures, [], 'no request failed during the rotation');
  t.ok(beforeSwap > 0 && succeeded > beforeSwap + 10, `requests kept flowing (${succeeded} in total)`);
  t.strictSame(handle.certificate().serialNumber, serialOf(second.cert));
  t.match(handle.certificate().subject, /CN=rotated\.test/);
  const reloaded = logs.lines.filter((line) => line.msg === 'TLS certificate reloaded');
  t.strictSame(reloaded.length, 1, 'one reload for one rotation');
  t.hasStrict(reloaded[0], { serial: serialOf(second.cert) });
  t.matchStrict(reloaded[0], { subject: /rotated\.test/, sans: /DNS:rotated\.test/, notAfter: String });
  const metrics = (await http(handle.metricsPort, '/metrics')).text;
  t.strictSame(metricValue(metrics, 'feldera_sidecar_injector_tls_reloads_total{result="success"}'), 1);
  t.strictSame(
    metricValue(metrics, 'feldera_sidecar_injector_serving_certificate_not_after_seconds'),
    handle.certificate().notAfter.getTime() / 1000,
    'expiry gauge follows the new certificate',
  );
});

t.test('a half-written pair is refused and the old certificate keeps serving', async (t) => {
  const certs = await devCerts(t);
  const ca = { cert: certs.caCertPem, key: await readFile(certs.files.caKey, 'utf8') };
  const next = mustIssue(ca, ['next.test', '127.0.0.1']);
  const logs = captureLogger();
  // Plain files written in place (no symlinks): the poll and the watch both see them.
  const handle = await startServer(testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey }), {
    logger: logs.logger,
    tlsReload: { debounceMs: 50, pollIntervalMs: 200 },
  });
  t.teardown(() => handle.close());
  const original = serialOf(await readFile(certs.files.tlsCert, 'utf8'));

  // The key lands first; the certificate is "still being written".
  await writeFile(certs.files.tlsKey, next.key);
  const refused = await eventually(() => logs.lines.some((line) => line.msg === 'TLS reload failed; still serving the previous certificate'));
  t.ok(refused, 'the mismatched pair is refused');
  const failedLine = logs.lines.find((line) => line.msg?.toString().startsWith('TLS reload failed'));
  t.hasStrict(failedLine, { code: 'TLS_MATERIAL_INVALID' });
  t.matchStrict(failedLine, { reason: /does not belong to the certificate/ });
  const during = await https({ port: handle.port, ca: certs.caCertPem, body: fixture, headers: JSON_HEADERS });
  t.strictSame(during.status, 200, 'admissions still answered');
  t.strictSame(during.serial, original, 'with the old certificate');
  t.strictSame(handle.isReady(), true, 'still ready');

  await writeFile(certs.files.tlsCert, next.cert);
  const swapped = await eventually(async () => (await https({ port: handle.port, ca: certs.caCertPem, method: 'GET', path: '/healthz' })).serial === serialOf(next.cert));
  t.ok(swapped, 'the completed pair is loaded');
  const metrics = (await http(handle.metricsPort, '/metrics')).text;
  t.ok(metricValue(metrics, 'feldera_sidecar_injector_tls_reloads_total{result="failure"}') >= 1, 'failure counted');
  t.strictSame(metricValue(metrics, 'feldera_sidecar_injector_tls_reloads_total{result="success"}'), 1, 'success counted');
});

t.test('reloadTls() re-reads on demand (SIGHUP) and reports unchanged files as such', async (t) => {
  const certs = await devCerts(t);
  const logs = captureLogger();
  const handle = await startServer(testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey }), {
    logger: logs.logger,
    tlsReload: { pollIntervalMs: 60_000 },
  });
  t.teardown(() => handle.close());
  t.strictSame(await handle.reloadTls(), 'unchanged');
  await writeFile(certs.files.tlsCert, 'garbage');
  t.strictSame(await handle.reloadTls(), 'failed');
  t.strictSame((await https({ port: handle.port, ca: certs.caCertPem, method: 'GET', path: '/readyz' })).status, 200, 'still ready');
});
