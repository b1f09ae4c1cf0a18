import { readFile } from 'node:fs/promises';
import t from 'tap';
import { createCertificateAuthority, issueClientCertificate } from '../../src/pki/index.js';
import { startServer } from '../../src/server/index.js';
import { JSON_HEADERS, captureLogger, devCerts, fixtureText, http, https, testConfig } from './harness.js';

const fixture = await fixtureText();

t.test('with tls.clientCAFile, only clients with a certificate from that CA get through', async (t) => {
  const certs = await devCerts(t);
  const logs = captureLogger();
  const handle = await startServer(
    testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: certs.files.caCert }),
    { logger: logs.logger },
  );
  t.teardown(() => handle.close());
  const base = { port: handle.port, ca: certs.caCertPem, body: fixture, headers: JSON_HEADERS };

  await t.rejects(https(base), 'a client without a certificate is refused during the handshake');

  const otherCa = createCertificateAuthority({ commonName: 'someone else', validityDays: 1 });
  if (!otherCa.ok) throw new Error(otherCa.error.message);
  const stranger = issueClientCertificate(otherCa.value, { commonName: 'stranger' });
  if (!stranger.ok) throw new Error(stranger.error.message);
  await t.rejects(https({ ...base, cert: stranger.value.cert, key: stranger.value.key }), 'a certificate from another CA is refused');

  const cert = await readFile(certs.files.clientCert, 'utf8');
  const key = await readFile(certs.files.clientKey, 'utf8');
  const answer = await https({ ...base, cert, key });
  t.strictSame(answer.status, 200, 'a client certificate from the configured CA succeeds');
  t.matchStrict(answer.json(), { response: { uid: String, allowed: Boolean } });

  // kubelet probes present no certificate: the plain metrics port still answers them.
  t.strictSame((await http(handle.metricsPort, '/readyz')).status, 200);
  const metrics = (await http(handle.metricsPort, '/metrics')).text;
  const failed = metrics.split('\n').find((l) => l.startsWith('feldera_sidecar_injector_tls_handshake_failures_total '));
  t.ok(failed !== undefined && Number(failed.split(' ')[1]) >= 2, `handshake failures counted: ${failed}`);
});

t.test('without tls.clientCAFile no client certificate is asked for', async (t) => {
  const certs = await devCerts(t);
  const handle = await startServer(testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey }), {
    logger: captureLogger().logger,
  });
  t.teardown(() => handle.close());
  const answer = await https({ port: handle.port, ca: certs.caCertPem, body: fixture, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200);
});
