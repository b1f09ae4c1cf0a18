import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { issueServingCertificate } from '../../src/pki/index.js';
import { loadTlsMaterial, type TlsFiles } from '../../src/server/tls-material.js';
import { devCerts, serialOf } from './harness.js';

t.test('a matching pair loads, with what the logs need to know', async (t) => {
  const certs = await devCerts(t);
  const loaded = await loadTlsMaterial({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: certs.files.caCert });
  if (!loaded.ok) throw new Error(loaded.error.message);
  const pem = await readFile(certs.files.tlsCert, 'utf8');
  t.strictSame(loaded.value.certificate.serialNumber, serialOf(pem));
  t.match(loaded.value.certificate.subjectAltName, /DNS:localhost.*IP Address:127\.0\.0\.1/);
  t.match(loaded.value.certificate.issuer, /dev CA/);
  t.ok(loaded.value.certificate.notAfter.getTime() > Date.now());
  t.strictSame(loaded.value.ca, await readFile(certs.files.caCert, 'utf8'));
  const again = await loadTlsMaterial({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: certs.files.caCert });
  t.strictSame(again.ok && again.value.digest, loaded.value.digest, 'same files, same digest');
});

t.test('every kind of bad material is a TLS_MATERIAL_INVALID value naming the file', async (t) => {
  const certs = await devCerts(t);
  const files: TlsFiles = { certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: null };
  const cases: [string, () => Promise<TlsFiles>, RegExp][] = [
    ['missing certificate', async () => ({ ...files, certFile: join(certs.dir, 'nope.crt') }), /cannot read tls\.certFile .*nope\.crt/],
    ['garbage certificate', async () => {
      await writeFile(join(certs.dir, 'garbage.crt'), 'not a certificate');
      return { ...files, certFile: join(certs.dir, 'garbage.crt') };
    }, /tls\.certFile .*garbage\.crt is not a PEM certificate/],
    ['garbage key', async () => {
      // A PEM frame around garbage, built at run time so no key-shaped text sits in the repository.
      const label = ['PRIVATE', 'KEY'].join(' ');
      await writeFile(join(certs.dir, 'garbage.key'), `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`);
      return { ...files, keyFile: join(certs.dir, 'garbage.key') };
    }, /tls\.keyFile .*garbage\.key is not an unencrypted PEM private key/],
    ['key of another certificate', async () => ({ ...files, keyFile: certs.files.clientKey }), /does not belong to the certificate/],
    ['garbage client CA', async () => ({ ...files, clientCAFile: certs.files.tlsKey }), /tls\.clientCAFile .* is not a PEM certificate bundle/],
  ];
  for (const [name, make, message] of cases) {
    const loaded = await loadTlsMaterial(await make());
    t.strictSame(loaded.ok, false, name);
    if (!loaded.ok) {
      t.strictSame(loaded.error.code, 'TLS_MATERIAL_INVALID', name);
      t.match(loaded.error.message, message, name);
    }
  }
  // A certificate chain (leaf + CA) is fine: the leaf is the one checked against the key.
  const ca = { cert: certs.caCertPem, key: await readFile(certs.files.caKey, 'utf8') };
  const leaf = issueServingCertificate(ca, { hosts: ['chain.test'], validityDays: 1 });
  if (!leaf.ok) throw new Error(leaf.error.message);
  await writeFile(join(certs.dir, 'chain.crt'), leaf.value.cert + certs.caCertPem);
  await writeFile(join(certs.dir, 'chain.key'), leaf.value.key);
  const chain = await loadTlsMaterial({ certFile: join(certs.dir, 'chain.crt'), keyFile: join(certs.dir, 'chain.key'), clientCAFile: null });
  t.ok(chain.ok, 'a chain loads');
});
