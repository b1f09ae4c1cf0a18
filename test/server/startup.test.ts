import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { StartupError, startServer } from '../../src/server/index.js';
import { captureLogger, devCerts, tempDir, testConfig } from './harness.js';

t.test('missing TLS files: StartupError TLS_MATERIAL_INVALID naming the file', async (t) => {
  const dir = await tempDir(t);
  const config = testConfig({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') });
  const error = await startServer(config, { logger: captureLogger().logger }).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(error instanceof StartupError);
  if (error instanceof StartupError) {
    t.strictSame(error.code, 'TLS_MATERIAL_INVALID');
    t.match(error.message, new RegExp(`tls\\.certFile ${join(dir, 'tls.crt')}`));
  }
});

t.test('a port in use: StartupError SERVER_LISTEN_FAILED naming the address', async (t) => {
  const certs = await devCerts(t);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;

  for (const server of [{ port }, { metricsPort: port }]) {
    const config = testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey }, server);
    const error = await startServer(config, { logger: captureLogger().logger }).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(error instanceof StartupError, `${JSON.stringify(server)} fails`);
    if (error instanceof StartupError) {
      t.strictSame(error.code, 'SERVER_LISTEN_FAILED');
      t.match(error.message, `127.0.0.1:${port}`);
    }
  }
});
