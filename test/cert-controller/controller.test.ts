import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { startCertificateController, type CertificateController, type CertificateControllerOptions } from '../../src/cert-controller/controller.js';
import { encodeCaBundle } from '../../src/cert-controller/ca-bundle.js';
import type { Config } from '../../src/config/config.js';
import { FakeApi, webhookConfiguration } from './fake-api.js';
import { pems, renewedPems, secretWith, testConfig } from './fixtures.js';

interface Setup {
  api: FakeApi;
  config: Config;
  logs: Record<string, unknown>[];
  start(extra?: Partial<CertificateControllerOptions>): ReturnType<typeof startCertificateController>;
  started(extra?: Partial<CertificateControllerOptions>): Promise<CertificateController>;
  files(): Promise<{ cert: string; key: string }>;
}

async function setup(t: Test, certificates: Partial<Config['certificates']> = {}): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'fsi-controller-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const api = new FakeApi();
  const config = testConfig(certificates, { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') });
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const start = (extra: Partial<CertificateControllerOptions> = {}) => startCertificateController(config, { logger, api, env: {}, ...extra });
  return {
    api,
    config,
    logs,
    start,
    async started(extra) {
      const result = await start(extra);
      if (!result.ok) throw new Error(result.error.message);
      t.teardown(() => result.value.stop());
      return result.value;
    },
    files: async () => ({ cert: await readFile(config.tls.certFile, 'utf8'), key: await readFile(config.tls.keyFile, 'utf8') }),
  };
}

const messages = (logs: Record<string, unknown>[], level?: number): string[] =>
  logs.filter((l) => level === undefined || l.level === level).map((l) => String(l.msg));

t.test('first start: creates the Secret, writes the files, sets every caBundle, logs the expiry', async (t) => {
  const s = await setup(t);
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com', 'b.feldera.com');
  const controller = await s.started();
  t.equal(s.api.count('createSecret'), 1);
  t.same(await s.files(), { cert: s.api.secretText('tls.crt'), key: s.api.secretText('tls.key') });
  t.same(s.api.caBundles(), [encodeCaBundle(s.api.secretText('ca.crt')), encodeCaBundle(s.api.secretText('ca.crt'))]);
  const status = controller.status();
  t.equal(status.caBundle, 'repaired');
  t.equal(status.namespace, 'webhook-system');
  t.equal(status.lastError, null);
  const created = s.logs.find((l) => l.msg === 'created the certificate Secret (new CA and serving certificate)');
  t.ok(created, 'creation logged');
  t.equal(created?.servingNotAfter, status.servingNotAfter.toISOString(), 'with the serving certificate expiry');
  t.equal(created?.component, 'certificates');
});

// The fixtures' certificates live 10 days; with these settings they are not yet due.
const FIXTURE_VALIDITY = { validityDays: 10, renewBeforeDays: 2 };

t.test('a valid Secret is used: files written, nothing created', async (t) => {
  const s = await setup(t, FIXTURE_VALIDITY);
  s.api.secret = secretWith(pems());
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  await s.started();
  t.equal(s.api.count('createSecret') + s.api.count('replaceSecret'), 0);
  t.same(await s.files(), { cert: pems().tlsCert, key: pems().tlsKey });
  t.ok(messages(s.logs).includes('using the serving certificate stored in the Secret'));
});

t.test('caBundle reset by a helm upgrade: repaired at the next check', async (t) => {
  const s = await setup(t);
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const controller = await s.started();
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  t.same(s.api.caBundles(), ['']);
  await controller.check();
  t.same(s.api.caBundles(), [encodeCaBundle(s.api.secretText('ca.crt'))]);
  t.equal(s.api.count('patchWebhookConfiguration'), 2);
  await controller.check();
  t.equal(s.api.count('patchWebhookConfiguration'), 2, 'in sync: no patch');
});

t.test('another replica renewed: the files follow the Secret', async (t) => {
  const s = await setup(t, FIXTURE_VALIDITY);
  s.api.secret = secretWith(pems(), '1');
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const controller = await s.started();
  const renewed = renewedPems();
  s.api.secret = secretWith(renewed, '2');
  await controller.check();
  t.same(await s.files(), { cert: renewed.tlsCert, key: renewed.tlsKey });
  t.ok(messages(s.logs, 30).includes('another replica renewed the serving certificate; now serving it'));
  t.equal(controller.status().resourceVersion, '2');
});

t.test('renewal due (renewBeforeDays >= validityDays): each check renews with the same CA', async (t) => {
  const s = await setup(t, { validityDays: 1, renewBeforeDays: 1 });
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const controller = await s.started();
  const ca = s.api.secretText('ca.crt');
  const first = (await s.files()).cert;
  await controller.check();
  t.not((await s.files()).cert, first, 'new serving certificate written');
  t.equal(s.api.secretText('ca.crt'), ca, 'same CA');
  t.same(s.api.caBundles(), [encodeCaBundle(ca)], 'caBundle untouched');
  t.ok(messages(s.logs, 40).some((m) => /renewed at every check/.test(m)), 'the surprising setting is warned about');
  t.ok(s.logs.some((l) => l.msg === 'renewed the serving certificate (same CA)' && typeof l.servingNotAfter === 'string'));
});

t.test('the webhook configuration does not exist yet: start anyway, set the caBundle when it appears', async (t) => {
  const s = await setup(t);
  const controller = await s.started();
  t.equal(controller.status().caBundle, 'missing');
  await controller.check();
  t.equal(messages(s.logs, 40).filter((m) => /does not exist \(yet\)/.test(m)).length, 1, 'warned once, not at every retry');
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  await controller.check();
  t.equal(controller.status().caBundle, 'repaired');
  t.ok(messages(s.logs, 30).includes('certificates in sync again'));
});

t.test('the loop runs on its own and retries quickly while out of sync', async (t) => {
  const s = await setup(t, { checkIntervalSeconds: 0.2 });
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  await s.started({ retryIntervalMs: 50 });
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const deadline = Date.now() + 3000;
  while (s.api.caBundles()[0] === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.not(s.api.caBundles()[0], '', 'repaired without anyone calling check()');
});

t.test('stop(): no more checks', async (t) => {
  const s = await setup(t, { checkIntervalSeconds: 0.05 });
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const controller = await s.started();
  await controller.stop();
  const reads = s.api.count('readSecret');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(s.api.count('readSecret'), reads);
});

t.test('403 at start: fails at once with the RBAC rule to add', async (t) => {
  const s = await setup(t);
  s.api.failNext('readSecret', 403);
  const result = await s.start();
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'KUBE_FORBIDDEN');
  t.match(result.error.message, /verbs \[get\], resourceNames \[feldera-sidecar-injector-tls\]/);
  t.equal(s.api.count('readSecret'), 1, 'not retried');
});

t.test('API server not answering yet at start: retried, then starts', async (t) => {
  const s = await setup(t);
  s.api.failNext('readSecret', 503, 2);
  const controller = await s.started();
  t.equal(s.api.count('readSecret'), 3);
  t.ok(controller.status().servingFingerprint);
  t.equal(messages(s.logs, 40).filter((m) => /busy or failing \(503\)/.test(m)).length, 2);
});

t.test('API server never answers: gives up after startTimeoutMs', async (t) => {
  const s = await setup(t);
  s.api.failNext('readSecret', 503, 1000);
  const result = await s.start({ startTimeoutMs: 800 });
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CERT_START_TIMEOUT');
  t.match(result.error.message, /gave up after 1s: cannot get Secret/);
});

t.test('errors during the loop are logged once and cleared on recovery; files keep the last good certificate', async (t) => {
  const s = await setup(t);
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const controller = await s.started();
  const before = await s.files();
  s.api.failNext('readSecret', 503, 2);
  await controller.check();
  await controller.check();
  t.equal(controller.status().lastError?.code, 'KUBE_UNAVAILABLE');
  t.equal(messages(s.logs, 40).filter((m) => /503/.test(m)).length, 1);
  t.same(await s.files(), before);
  await controller.check();
  t.equal(controller.status().lastError, null);
});

t.test('configuration mistakes are refused at start', async (t) => {
  const s = await setup(t, { validityDays: 0.5, checkIntervalSeconds: 0 });
  const result = await s.start();
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CONFIG_INVALID');
  t.match(result.error.message, /certificates\.validityDays: must be a whole number/);
  t.match(result.error.message, /certificates\.checkIntervalSeconds: must be more than 0/);
});

t.test('no namespace anywhere: refused with the ways to set one', async (t) => {
  const s = await setup(t, { namespace: '' });
  const result = await s.start({ env: {} });
  // The service-account file does not exist on a test machine.
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CERT_NAMESPACE_UNKNOWN');
});

t.test('renewals and caBundle repairs are counted in the server metrics', async (t) => {
  const s = await setup(t, { validityDays: 1, renewBeforeDays: 1 });
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  const counted: string[] = [];
  const metrics = { recordCertificateRenewal: (r: 'success' | 'failure') => counted.push(`renewal ${r}`), recordCaBundleRepair: () => counted.push('repair') };
  const controller = await s.started({ metrics });
  t.strictSame(counted, ['repair'], 'start: the caBundle set once');
  await controller.check();
  t.strictSame(counted, ['repair', 'renewal success'], 'a due renewal');
  s.api.webhookConfiguration = webhookConfiguration('a.feldera.com');
  await controller.check();
  t.strictSame(counted, ['repair', 'renewal success', 'renewal success', 'repair'], 'renewed again (always due here) and the reset caBundle repaired');
});
