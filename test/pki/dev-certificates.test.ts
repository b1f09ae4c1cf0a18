import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { writeDevCertificates } from '../../src/pki/index.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsi-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('writes a Secret-shaped folder with private keys readable only by the owner', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'certs');
  const written = await writeDevCertificates(dir);
  if (!written.ok) throw new Error(written.error.message);
  t.same((await readdir(dir)).sort(), ['ca.crt', 'ca.key', 'client.crt', 'client.key', 'tls.crt', 'tls.key']);
  for (const key of ['ca.key', 'tls.key', 'client.key']) {
    t.equal((await stat(join(dir, key))).mode & 0o777, 0o600, `${key} is 0600`);
  }
  t.equal((await stat(join(dir, 'tls.crt'))).mode & 0o077, 0o044, 'certificates are world-readable');
  const cert = new X509Certificate(await readFile(written.value.files.tlsCert));
  const ca = new X509Certificate(await readFile(written.value.files.caCert));
  t.ok(cert.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
  t.equal(written.value.caCertPem, await readFile(written.value.files.caCert, 'utf8'));
  for (const name of [
    'localhost',
    'feldera-sidecar-injector',
    'feldera-sidecar-injector.feldera-sidecar-injector',
    'feldera-sidecar-injector.feldera-sidecar-injector.svc',
    'feldera-sidecar-injector.feldera-sidecar-injector.svc.cluster.local',
  ]) {
    t.ok(cert.checkHost(name), `SAN ${name}`);
  }
  t.ok(cert.checkIP('127.0.0.1'));
  t.ok(cert.checkIP('::1'));
  const client = new X509Certificate(await readFile(written.value.files.clientCert));
  t.ok(client.verify(ca.publicKey), 'client.crt is signed by ca.crt');
});

t.test('extra hosts are added to the defaults; service and namespace are configurable', async (t) => {
  const dir = await tempDir(t);
  const written = await writeDevCertificates(dir, {
    hosts: ['webhook.example.com', '10.0.0.7', 'localhost'],
    serviceName: 'inj',
    namespace: 'platform',
  });
  if (!written.ok) throw new Error(written.error.message);
  t.same(written.value.hosts, [
    'localhost',
    '127.0.0.1',
    '::1',
    'inj',
    'inj.platform',
    'inj.platform.svc',
    'inj.platform.svc.cluster.local',
    'webhook.example.com',
    '10.0.0.7',
  ]);
  const cert = new X509Certificate(await readFile(written.value.files.tlsCert));
  t.ok(cert.checkHost('webhook.example.com'));
  t.ok(cert.checkIP('10.0.0.7'));
  t.notOk(cert.checkHost('feldera-sidecar-injector.feldera-sidecar-injector.svc'));
});

t.test('a bad host fails before anything is written', async (t) => {
  const dir = join(await tempDir(t), 'out');
  const written = await writeDevCertificates(dir, { hosts: ['bad host!'] });
  t.equal(written.ok, false);
  if (!written.ok) t.equal(written.error.code, 'CERT_REQUEST_INVALID');
  await t.rejects(stat(dir), 'no folder created');
});

t.test('an unwritable destination is a CERT_WRITE_FAILED value', async (t) => {
  const dir = await tempDir(t);
  // A file where a folder must go fails mkdir with ENOTDIR, even for root.
  await writeFile(join(dir, 'blocker'), '');
  const blocked = await writeDevCertificates(join(dir, 'blocker', 'certs'));
  t.equal(blocked.ok, false);
  if (!blocked.ok) {
    t.equal(blocked.error.code, 'CERT_WRITE_FAILED');
    t.match(blocked.error.message, /cannot write dev certificates into .*blocker/);
  }
});
