// End to end, certificates.mode: selfManaged against a real kube-apiserver: the built webhook
// (node dist/src/main.js serve) starts with no certificate, creates the Secret, sets the caBundle
// of a MutatingWebhookConfiguration registered with an EMPTY one, and the apiserver then calls it.
// Also: the caBundle repaired after being blanked, two replicas racing to create the Secret,
// renewal under load, and the minimal RBAC (refused without it, with a message naming the rule).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1MutatingWebhookConfiguration,
  type V1Secret,
} from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { kubeCertificateApi } from '../../src/cert-controller/kube-api.js';
import {
  createNamespace,
  freePort,
  INJECTION_LABEL,
  issueClientCertificateFor,
  loadKubeConfig,
  pipelinePod,
  sleep,
  startControlPlane,
  STATUS_ANNOTATION,
  tail,
  uniqueName,
  waitFor,
  type KubeStatus,
} from './cluster/index.js';
import { writeClientKubeconfig } from './cluster/kubeconfig.js';
import { writePem } from './cluster/pki.js';
import { forgetRemoveAtExit, removeAtExit, spawnManaged, type ExitInfo, type ManagedProcess } from './cluster/processes.js';
import { repoRoot } from './cluster/paths.js';
import { ensureWebhookBuilt, webhookEntryPoint } from './cluster/webhook-build.js';
import { assertExampleInjected, waitForPod } from './helpers.js';

const CHECK_INTERVAL_SECONDS = 1;
// Everything of this file under one parent with its own prefix, so no cleanup of other runs'
// feldera-e2e-* folders can pull the control plane's files from under it.
const root = mkdtempSync(join(tmpdir(), 'fsi-selfmanaged-e2e-'));
removeAtExit(root);
const cp = await startControlPlane({ tmpRoot: root });
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
ensureWebhookBuilt();
const admission = cp.kc.makeApiClient(AdmissionregistrationV1Api);
const core = cp.kc.makeApiClient(CoreV1Api);

// ----- the webhook in selfManaged mode, as a child process --------------------------------------

type LogLine = Record<string, unknown> & { msg?: string };

interface Replica {
  port: number;
  certFile: string;
  keyFile: string;
  logFile: string;
  lines: LogLine[];
  proc: ManagedProcess;
  /** Waits for "serving admissions"; throws with the log tail if the process exits first. */
  serving(timeoutMs?: number): Promise<LogLine>;
  waitForLog(what: string, predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<ExitInfo>;
}

interface ReplicaOptions {
  namespace: string;
  webhookConfigurationName: string;
  port?: number;
  kubeconfig?: string;
  set?: Record<string, string | number>;
}

const replicas: Replica[] = [];

async function spawnReplica(options: ReplicaOptions): Promise<Replica> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(root, 'webhook-'));
  // A folder that does not exist yet, as an emptyDir is empty: the controller creates the files.
  const tlsDir = join(dir, 'tls');
  const sets: Record<string, string | number> = {
    'server.host': '127.0.0.1',
    'server.port': port,
    'server.metricsHost': '127.0.0.1',
    'server.metricsPort': 0,
    'server.drainSeconds': 0,
    'tls.certFile': join(tlsDir, 'tls.crt'),
    'tls.keyFile': join(tlsDir, 'tls.key'),
    'certificates.mode': 'selfManaged',
    'certificates.namespace': options.namespace,
    'certificates.webhookConfigurationName': options.webhookConfigurationName,
    'certificates.checkIntervalSeconds': CHECK_INTERVAL_SECONDS,
    ...options.set,
  };
  const args = [webhookEntryPoint(), 'serve', ...Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`])];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('SIDECAR_INJECTOR_') && name !== 'POD_NAMESPACE' && !/_proxy$/i.test(name)),
  );
  env.KUBECONFIG = options.kubeconfig ?? cp.kubeconfigPath;
  const lines: LogLine[] = [];
  const logFile = join(dir, 'webhook.log');
  const proc = spawnManaged({
    name: 'webhook',
    command: process.execPath,
    args,
    logFile,
    env,
    cwd: repoRoot(),
    onStdoutLine: (text) => {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: text, unparsed: true });
      }
    },
  });
  const died = (): string | null => {
    const info = proc.exitInfo();
    return info === null ? null : `the webhook exited (code ${String(info.code)}, signal ${String(info.signal)})\n${tail(logFile, 30)}`;
  };
  const waitForLog = (what: string, predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> =>
    waitFor(`webhook :${port} log: ${what}`, () => lines.find(predicate), { timeoutMs, intervalMs: 50, abort: died });
  const replica: Replica = {
    port,
    certFile: sets['tls.certFile'] as string,
    keyFile: sets['tls.keyFile'] as string,
    logFile,
    lines,
    proc,
    serving: (timeoutMs = 60_000) => waitForLog('serving admissions', (l) => l.msg === 'serving admissions', timeoutMs),
    waitForLog,
    stop: () => proc.stop(5000),
  };
  replicas.push(replica);
  return replica;
}

async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const replica = await spawnReplica(options);
  await replica.serving();
  return replica;
}

t.teardown(async () => {
  if (!t.passing()) {
    const parts = [cp.logTails(40), ...replicas.map((r) => `----- webhook :${r.port} (${r.logFile}) -----\n${tail(r.logFile, 60)}`)];
    process.stderr.write(`${parts.join('\n')}\n`);
  }
  for (const replica of replicas) await replica.stop();
  await cp.stop();
  if (process.env.E2E_KEEP_DIR === undefined) {
    rmSync(root, { recursive: true, force: true });
    forgetRemoveAtExit(root);
  }
});

// ----- cluster objects --------------------------------------------------------------------------

/**
 * A configuration with one webhook per replica port, caBundle EMPTY (as the Helm chart renders it
 * in selfManaged mode), scoped to namespaces carrying this case's label so cases never call each
 * other's replicas.
 */
function emptyCaBundleConfiguration(name: string, ports: number[], caseLabel: string): V1MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: ports.map((port, i) => ({
      name: `replica-${i}.sidecar.feldera.com`,
      clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle: '' },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: { matchLabels: { [INJECTION_LABEL]: 'enabled', 'e2e.feldera.com/case': caseLabel } },
      sideEffects: 'NoneOnDryRun',
      admissionReviewVersions: ['v1'],
      reinvocationPolicy: 'IfNeeded',
      timeoutSeconds: 5,
      failurePolicy: 'Fail',
    })),
  };
}

interface Case {
  /** Where the Secret lives (the webhook's own namespace). */
  webhookNamespace: string;
  /** An opted-in namespace for pipeline pods. */
  podNamespace: string;
  configurationName: string;
  ports: number[];
}

async function newCase(t: Test, label: string, replicaCount: number): Promise<Case> {
  const webhookNamespace = uniqueName(`${label}-system`);
  const podNamespace = uniqueName(label);
  await createNamespace(cp.kc, { name: webhookNamespace });
  await createNamespace(cp.kc, { name: podNamespace, labels: { [INJECTION_LABEL]: 'enabled', 'e2e.feldera.com/case': label } });
  const configurationName = `feldera-sidecar-injector-${label}`;
  const ports: number[] = [];
  for (let i = 0; i < replicaCount; i++) ports.push(await freePort());
  await admission.createMutatingWebhookConfiguration({ body: emptyCaBundleConfiguration(configurationName, ports, label) });
  t.teardown(async () => {
    try {
      await admission.deleteMutatingWebhookConfiguration({ name: configurationName });
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 404) throw error;
    }
  });
  return { webhookNamespace, podNamespace, configurationName, ports };
}

const SECRET_NAME = 'feldera-sidecar-injector-tls';

async function readSecret(namespace: string): Promise<V1Secret | null> {
  try {
    return await core.readNamespacedSecret({ name: SECRET_NAME, namespace });
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw error;
  }
}

const text = (secret: V1Secret | null, key: string): string => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');

async function caBundles(name: string): Promise<string[]> {
  const configuration = await admission.readMutatingWebhookConfiguration({ name });
  return (configuration.webhooks ?? []).map((w) => w.clientConfig.caBundle ?? '');
}

/** The certificate a new TLS connection gets, verified against `caPem` for the IP 127.0.0.1. */
function servedCertificate(port: number, caPem: string): Promise<{ fingerprint256: string; serialNumber: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({ fingerprint256: peer.fingerprint256, serialNumber: peer.serialNumber });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS connect timed out')));
    socket.on('error', reject);
  });
}

/** Dry-run pipeline pods until the apiserver stores one injected: it trusts the webhook's certificate. */
async function waitUntilCalled(namespace: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `the apiserver to call the webhook for pods in ${namespace}`,
    async () => {
      const res = await cp.rest.post<{ metadata?: { annotations?: Record<string, string> }; message?: string }>(
        `/api/v1/namespaces/${namespace}/pods?dryRun=All`,
        pipelinePod({ namespace, name: uniqueName('probe') }),
      );
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.body.message ?? res.text}`);
      return res.body.metadata?.annotations?.[STATUS_ANNOTATION] !== undefined ? true : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

async function createPipelinePod(namespace: string, name: string): Promise<{ status: number; message: string }> {
  const res = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${namespace}/pods`, pipelinePod({ namespace, name }));
  return { status: res.status, message: res.status === 201 ? '' : (res.body.message ?? res.text) };
}

async function metricValue(replica: Replica, name: string): Promise<number> {
  const serving = replica.lines.find((l) => l.msg === 'serving admissions');
  const res = await fetch(`http://127.0.0.1:${String(serving?.metricsPort)}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

// ----- the cases --------------------------------------------------------------------------------

t.test('one replica, no certificate anywhere: creates the Secret, sets the empty caBundle, the apiserver calls it', async (t) => {
  const c = await newCase(t, 'single', 1);
  const [port] = c.ports as [number];
  t.equal(await readSecret(c.webhookNamespace), null, 'no Secret before the webhook starts');
  t.same(await caBundles(c.configurationName), [''], 'caBundle registered empty');

  const startAt = Date.now();
  const replica = await startReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port });
  const startMs = Date.now() - startAt;
  const secret = await readSecret(c.webhookNamespace);
  t.equal(secret?.type, 'kubernetes.io/tls', 'a kubernetes.io/tls Secret');
  t.same(Object.keys(secret?.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  t.equal(secret?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'feldera-sidecar-injector');
  const caPem = text(secret, 'ca.crt');
  const served = new X509Certificate(text(secret, 'tls.crt'));
  t.ok(served.checkIssued(new X509Certificate(caPem)), 'tls.crt issued by ca.crt');
  const ns = c.webhookNamespace;
  t.equal(
    served.subjectAltName,
    `DNS:feldera-sidecar-injector, DNS:feldera-sidecar-injector.${ns}, DNS:feldera-sidecar-injector.${ns}.svc, ` +
      `DNS:feldera-sidecar-injector.${ns}.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1`,
    'SANs: the Service DNS names and loopback',
  );
  t.same(await caBundles(c.configurationName), [Buffer.from(caPem).toString('base64')], 'caBundle set to the CA before serving started');
  t.equal((statSync(replica.keyFile).mode & 0o777).toString(8), '600', 'tls.key written 0600');
  t.equal((await servedCertificate(port, caPem)).fingerprint256, served.fingerprint256, 'serves the Secret\'s certificate, valid for 127.0.0.1 under ca.crt');
  const notAfterGauge = await metricValue(replica, 'feldera_sidecar_injector_serving_certificate_not_after_seconds');
  t.equal(notAfterGauge, Date.parse(served.validTo) / 1000, 'expiry gauge = the served certificate\'s notAfter');
  const created = replica.lines.find((l) => l.msg === 'created the certificate Secret (new CA and serving certificate)');
  t.match(created, { component: 'certificates', servingNotAfter: new Date(served.validTo).toISOString(), secret: `${ns}/${SECRET_NAME}` }, 'creation logged with the expiry');

  const calledAt = Date.now();
  await waitUntilCalled(c.podNamespace);
  t.comment(`replica started in ${startMs} ms; the apiserver called it ${Date.now() - calledAt} ms later`);
  const created0 = await createPipelinePod(c.podNamespace, 'pipeline-a-0');
  t.equal(created0.status, 201, `pod created ${created0.message}`);
  assertExampleInjected(t, await waitForPod(cp, c.podNamespace, 'pipeline-a-0'), null);

  // A `helm upgrade` (or anyone) blanks the caBundle: repaired within a few check intervals.
  const blankedAt = Date.now();
  await admission.patchMutatingWebhookConfiguration(
    { name: c.configurationName, body: [{ op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: '' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  );
  await waitFor(
    'the caBundle to be repaired',
    async () => ((await caBundles(c.configurationName))[0] === Buffer.from(caPem).toString('base64') ? true : undefined),
    { timeoutMs: 5 * CHECK_INTERVAL_SECONDS * 1000 + 5000, intervalMs: 100 },
  );
  t.pass(`caBundle repaired ${Date.now() - blankedAt} ms after it was blanked (check interval ${CHECK_INTERVAL_SECONDS} s)`);
  // Log lines are written asynchronously: the API shows the repair before the line may arrive.
  const setLines = (): number => replica.lines.filter((l) => l.msg === 'set caBundle on the webhook configuration to our CA').length;
  await waitFor('the repair log line', () => (setLines() >= 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
  t.equal(setLines(), 2, 'set at start, repaired once');
  await waitUntilCalled(c.podNamespace);
  const created1 = await createPipelinePod(c.podNamespace, 'pipeline-b-0');
  t.equal(created1.status, 201, `pod created after the repair ${created1.message}`);

  // The whole configuration re-applied (what `helm upgrade` does): repaired the same way.
  const current = await admission.readMutatingWebhookConfiguration({ name: c.configurationName });
  await admission.replaceMutatingWebhookConfiguration({
    name: c.configurationName,
    body: { ...emptyCaBundleConfiguration(c.configurationName, c.ports, 'single'), metadata: { name: c.configurationName, resourceVersion: current.metadata?.resourceVersion } },
  });
  await waitFor(
    'the caBundle to be repaired after a replace',
    async () => ((await caBundles(c.configurationName))[0] !== '' ? true : undefined),
    { timeoutMs: 5 * CHECK_INTERVAL_SECONDS * 1000 + 5000, intervalMs: 100 },
  );

  // A restarted replica uses the stored Secret: same CA, same certificate, nothing written.
  t.match(await replica.stop(), { code: 0, signal: null }, 'SIGTERM: the controller stops with the server, the process exits 0');
  const again = await startReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port });
  t.ok(again.lines.some((l) => l.msg === 'using the serving certificate stored in the Secret'), 'restart: uses the stored certificate');
  t.equal((await servedCertificate(port, caPem)).fingerprint256, served.fingerprint256, 'restart: same certificate served');
  t.equal((await readSecret(c.webhookNamespace))?.metadata?.resourceVersion, secret?.metadata?.resourceVersion, 'restart: Secret untouched');
  await again.stop();
});

t.test('two replicas started at once: exactly one creates the Secret, both serve the same certificate', async (t) => {
  const c = await newCase(t, 'pair', 2);
  const [a, b] = await Promise.all(
    c.ports.map((port) => startReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port })),
  );
  if (a === undefined || b === undefined) throw new Error('two replicas expected');
  const secret = await readSecret(c.webhookNamespace);
  const caPem = text(secret, 'ca.crt');
  const fingerprint = new X509Certificate(text(secret, 'tls.crt')).fingerprint256;
  const [servedA, servedB] = await Promise.all([servedCertificate(a.port, caPem), servedCertificate(b.port, caPem)]);
  t.equal(servedA.fingerprint256, fingerprint, 'replica A serves the Secret\'s certificate');
  t.equal(servedB.fingerprint256, fingerprint, 'replica B serves the same certificate');

  const events = [...a.lines, ...b.lines].filter((l) => l.component === 'certificates' && typeof l.event === 'string').map((l) => String(l.event));
  t.equal(events.filter((e) => e === 'created').length, 1, `exactly one replica created the Secret (events: ${events.join(', ')})`);
  t.equal(events.filter((e) => e === 'adopted' || e === 'used').length, 1, 'the other adopted or used it');
  t.comment(events.includes('adopted') ? 'both replicas tried to create it: the loser got 409 AlreadyExists and adopted the winner\'s' : 'the second replica read the Secret after the first created it');
  const after = await readSecret(c.webhookNamespace);
  t.equal(after?.metadata?.uid, secret?.metadata?.uid, 'one Secret, never re-created');
  t.equal(after?.metadata?.resourceVersion, secret?.metadata?.resourceVersion, 'written once: the loser did not overwrite it');
  t.same(await caBundles(c.configurationName), [Buffer.from(caPem).toString('base64'), Buffer.from(caPem).toString('base64')], 'both webhooks in the configuration carry the CA');

  await waitUntilCalled(c.podNamespace);
  const created = await createPipelinePod(c.podNamespace, 'pipeline-c-0');
  t.equal(created.status, 201, `pod created through both replicas ${created.message}`);
  assertExampleInjected(t, await waitForPod(cp, c.podNamespace, 'pipeline-c-0'), null);
  await Promise.all([a.stop(), b.stop()]);
});

t.test('renewal at every check (renewBeforeDays >= validityDays), two replicas, under load: tls.crt changes, the CA stays, every admission succeeds', async (t) => {
  const c = await newCase(t, 'renewal', 2);
  const set = { 'certificates.validityDays': 1, 'certificates.renewBeforeDays': 1 };
  const [a, b] = await Promise.all(
    c.ports.map((port) => startReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port, set })),
  );
  if (a === undefined || b === undefined) throw new Error('two replicas expected');
  t.ok(a.lines.some((l) => /renewed at every check/.test(String(l.msg))), 'the surprising setting is warned about');
  const first = await readSecret(c.webhookNamespace);
  const caPem = text(first, 'ca.crt');
  const caBundle = Buffer.from(caPem).toString('base64');
  await waitUntilCalled(c.podNamespace);

  const serials = new Set<string>([new X509Certificate(text(first, 'tls.crt')).serialNumber]);
  const results: Array<{ name: string; status: number; message: string }> = [];
  const until = Date.now() + 8 * CHECK_INTERVAL_SECONDS * 1000;
  let n = 0;
  const creators = Array.from({ length: 3 }, async () => {
    while (Date.now() < until) {
      const name = `renewal-${String(n++).padStart(3, '0')}`;
      results.push({ name, ...(await createPipelinePod(c.podNamespace, name)) });
    }
  });
  const watcher = (async () => {
    while (Date.now() < until) {
      const secret = await readSecret(c.webhookNamespace);
      serials.add(new X509Certificate(text(secret, 'tls.crt')).serialNumber);
      t.equal(text(secret, 'ca.crt'), caPem, 'the CA never changes');
      await sleep(250);
    }
  })();
  await Promise.all([...creators, watcher]);

  t.same(results.filter((r) => r.status !== 201), [], `all ${results.length} pod creates succeeded while the certificate was renewed`);
  t.ok(serials.size >= 3, `the Secret's tls.crt changed several times (${serials.size} serials seen)`);
  t.same(await caBundles(c.configurationName), [caBundle, caBundle], 'the caBundle never had to change');
  const lines = [...a.lines, ...b.lines];
  t.ok(lines.some((l) => l.msg === 'renewed the serving certificate (same CA)' && typeof l.servingNotAfter === 'string'), 'renewals logged with the new expiry');
  for (const r of [a, b]) {
    t.ok(r.lines.some((l) => l.msg === 'TLS certificate reloaded'), `replica :${r.port} hot-reloaded a renewed certificate`);
  }
  const peer = lines.filter((l) => l.event === 'peerRenewed').length;
  t.comment(`${results.length} pods, ${serials.size} serving certificates, ${peer} renewals lost to the other replica (409 Conflict)`);
  // With the other replica gone, the remaining one keeps renewing; it serves what the Secret holds.
  await b.stop();
  await waitFor(
    'replica A to serve the certificate the Secret holds',
    async () => {
      const [secret, served] = await Promise.all([readSecret(c.webhookNamespace), servedCertificate(a.port, caPem)]);
      return new X509Certificate(text(secret, 'tls.crt')).fingerprint256 === served.fingerprint256 ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  t.pass('the remaining replica serves the Secret\'s current certificate');
  await a.stop();
});

t.test('RBAC: refused with the rule to add; works with the minimal Role and ClusterRole', async (t) => {
  const c = await newCase(t, 'rbac', 1);
  const [port] = c.ports as [number];
  const user = 'feldera-sidecar-injector-e2e';
  const dir = mkdtempSync(join(root, 'rbac-'));
  const pem = writePem(dir, 'user', issueClientCertificateFor({ cert: cp.pki.ca.cert, key: cp.pki.ca.key }, user));
  const kubeconfig = writeClientKubeconfig(join(dir, 'user.kubeconfig'), { server: cp.server, caFile: cp.pki.ca.certFile, certFile: pem.certFile, keyFile: pem.keyFile, user });

  const refused = await spawnReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port, kubeconfig });
  const exit = await refused.proc.exited;
  t.equal(exit.code, 2, 'exits with status 2 (a start-up error) instead of serving without a certificate');
  const stderr = tail(refused.logFile, 5);
  t.match(stderr, `KUBE_FORBIDDEN: cannot get Secret ${SECRET_NAME} in namespace ${c.webhookNamespace}: forbidden (403)`);
  t.match(stderr, `resources [secrets], verbs [get], resourceNames [${SECRET_NAME}]`);
  t.match(stderr, `User "${user}"`, 'names the identity (from the API server)');

  // The RBAC the Helm chart needs in selfManaged mode, and nothing more.
  const rbac = cp.kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace: c.webhookNamespace,
    body: {
      metadata: { name: 'injector-certificates' },
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'update'], resourceNames: [SECRET_NAME] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: c.webhookNamespace,
    body: {
      metadata: { name: 'injector-certificates' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'injector-certificates' },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    },
  });
  const clusterRole = `injector-webhook-ca-${c.configurationName}`;
  await rbac.createClusterRole({
    body: {
      metadata: { name: clusterRole },
      rules: [
        { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'patch'], resourceNames: [c.configurationName] },
      ],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: clusterRole },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    },
  });
  t.teardown(async () => {
    await rbac.deleteClusterRoleBinding({ name: clusterRole });
    await rbac.deleteClusterRole({ name: clusterRole });
  });

  // RBAC bindings reach the authorizer's cache within a moment: retry the start until it serves.
  const replica = await waitFor(
    'the webhook to start with the minimal RBAC',
    async () => {
      const attempt = await spawnReplica({ namespace: c.webhookNamespace, webhookConfigurationName: c.configurationName, port, kubeconfig });
      try {
        await attempt.serving(30_000);
        return attempt;
      } catch (error) {
        await attempt.stop();
        throw error;
      }
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  const caPem = text(await readSecret(c.webhookNamespace), 'ca.crt');
  t.same(await caBundles(c.configurationName), [Buffer.from(caPem).toString('base64')], 'caBundle set with get+patch on the named configuration');
  await waitUntilCalled(c.podNamespace);
  const created = await createPipelinePod(c.podNamespace, 'pipeline-d-0');
  t.equal(created.status, 201, `pod created ${created.message}`);
  t.notOk(replica.lines.some((l) => l.level === 50), 'no errors logged');
  await replica.stop();
});

t.test('client wrapper against the real API: a JSON-patch test that fails is a conflict, not an error', async (t) => {
  const c = await newCase(t, 'patch', 1);
  const api = kubeCertificateApi(loadKubeConfig(cp.kubeconfigPath), {
    namespace: c.webhookNamespace,
    secretName: SECRET_NAME,
    webhookConfigurationName: c.configurationName,
  });
  const stale = await api.patchWebhookConfiguration([
    { op: 'test', path: '/webhooks/0/name', value: 'someone-else.feldera.com' },
    { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'AAAA' },
  ]);
  t.same(stale, { ok: true, value: { outcome: 'conflict' } }, 'a webhook renamed since our read: conflict');
  const gone = await api.patchWebhookConfiguration([
    { op: 'test', path: '/webhooks/3/name', value: 'replica-3.sidecar.feldera.com' },
    { op: 'add', path: '/webhooks/3/clientConfig/caBundle', value: 'AAAA' },
  ]);
  t.same(gone, { ok: true, value: { outcome: 'conflict' } }, 'a webhook removed since our read: conflict');
  t.same(await caBundles(c.configurationName), [''], 'nothing changed');
  const invalid = await api.patchWebhookConfiguration([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'not base64!' }]);
  t.match(invalid, { ok: false, error: { code: 'KUBE_INVALID', status: 422 } }, 'a real validation error stays an error');
  const missing = await kubeCertificateApi(cp.kc, { namespace: c.webhookNamespace, secretName: SECRET_NAME, webhookConfigurationName: 'does-not-exist' }).readWebhookConfiguration();
  t.same(missing, { ok: true, value: null }, 'a missing configuration is null, not an error');
  const secret = await api.readSecret();
  t.same(secret, { ok: true, value: null }, 'a missing Secret is null');
  const first = await api.createSecret({ metadata: { name: SECRET_NAME }, type: 'Opaque', data: {} });
  t.equal(first.ok && first.value.outcome, 'created');
  const second = await api.createSecret({ metadata: { name: SECRET_NAME }, type: 'Opaque', data: {} });
  t.same(second, { ok: true, value: { outcome: 'exists' } }, '409 AlreadyExists is "exists"');
  const stored = await api.readSecret();
  const rv = stored.ok ? stored.value?.metadata?.resourceVersion : undefined;
  const update = await api.replaceSecret({ metadata: { name: SECRET_NAME, resourceVersion: rv }, type: 'Opaque', data: { a: 'Yg==' } });
  t.equal(update.ok && update.value.outcome, 'updated');
  const staleUpdate = await api.replaceSecret({ metadata: { name: SECRET_NAME, resourceVersion: rv }, type: 'Opaque', data: { a: 'Yw==' } });
  t.same(staleUpdate, { ok: true, value: { outcome: 'conflict' } }, '409 Conflict on a stale resourceVersion is "conflict"');
});
