import * as fs from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import t from 'tap';
import { issueServingCertificate } from '../../src/pki/index.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { loadTlsMaterial, type TlsMaterial } from '../../src/server/tls-material.js';
import { captureLogger, devCerts, eventually, serialOf } from './harness.js';

t.test('when fs.watch is unavailable, the stat poll still picks up a rotation', async (t) => {
  // The watch lives in mounted-files-watch.ts: it gets the broken fs.watch, the reloader gets it.
  const watchModule = await t.mockImport<typeof import('../../src/server/mounted-files-watch.js')>('../../src/server/mounted-files-watch.js', {
    'node:fs': {
      ...fs,
      watch: () => {
        throw new Error('inotify unavailable');
      },
    },
  });
  const { startTlsReloader } = await t.mockImport<typeof import('../../src/server/tls-reloader.js')>('../../src/server/tls-reloader.js', {
    '../../src/server/mounted-files-watch.js': watchModule,
  });
  const certs = await devCerts(t);
  const files = { certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: null };
  const initial = await loadTlsMaterial(files);
  if (!initial.ok) throw new Error(initial.error.message);
  const applied: TlsMaterial[] = [];
  const logs = captureLogger();
  const reloader = startTlsReloader({
    files,
    initial: initial.value,
    apply: (material) => applied.push(material),
    logger: logs.logger,
    metrics: createMetrics(),
    debounceMs: 20,
    pollIntervalMs: 100,
  });
  t.teardown(() => reloader.close());
  t.ok(logs.lines.some((line) => line.msg === 'cannot watch TLS folder; relying on polling'), 'the missing watch is logged');

  const ca = { cert: certs.caCertPem, key: await readFile(certs.files.caKey, 'utf8') };
  const next = issueServingCertificate(ca, { hosts: ['polled.test'], validityDays: 1 });
  if (!next.ok) throw new Error(next.error.message);
  await writeFile(certs.files.tlsKey, next.value.key);
  await writeFile(certs.files.tlsCert, next.value.cert);

  t.ok(await eventually(() => reloader.current().certificate.serialNumber === serialOf(next.value.cert)), 'poll reloaded');
  t.strictSame(applied.at(-1)?.certificate.serialNumber, serialOf(next.value.cert), 'the new material was applied');
});

t.test('an apply() that throws keeps the old material and counts a failure', async (t) => {
  const { startTlsReloader } = await import('../../src/server/tls-reloader.js');
  const certs = await devCerts(t);
  const files = { certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey, clientCAFile: null };
  const initial = await loadTlsMaterial(files);
  if (!initial.ok) throw new Error(initial.error.message);
  const metrics = createMetrics();
  const reloader = startTlsReloader({
    files,
    initial: initial.value,
    apply: () => {
      throw new Error('setSecureContext refused');
    },
    logger: captureLogger().logger,
    metrics,
    pollIntervalMs: 60_000,
  });
  t.teardown(() => reloader.close());
  const ca = { cert: certs.caCertPem, key: await readFile(certs.files.caKey, 'utf8') };
  const next = issueServingCertificate(ca, { hosts: ['x.test'], validityDays: 1 });
  if (!next.ok) throw new Error(next.error.message);
  await writeFile(certs.files.tlsKey, next.value.key);
  await writeFile(certs.files.tlsCert, next.value.cert);
  t.strictSame(await reloader.reload(), 'failed');
  t.strictSame(reloader.current().digest, initial.value.digest, 'old material kept');
  t.match(await metrics.registry.metrics(), /tls_reloads_total\{result="failure"\} [1-9]/);
});
