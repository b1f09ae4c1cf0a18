// pipeline.configMap.namespaces through a real kube-apiserver: the webhook watches Feldera's
// pipeline ConfigMaps only in the listed namespace, as a user holding exactly the chart's
// per-namespace Role there (rbac-config-maps.yaml) and nothing cluster-wide. It becomes ready (a
// cluster-wide list would be forbidden, so it never would), injects from a ConfigMap in the listed
// namespace, and admits a pipeline pod elsewhere without sidecars, with a warning naming the setting.
// configSource both: the harness's probe pods carry the runtime-config annotation; these do not.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import t from 'tap';
import {
  exampleRuntimeConfig,
  issueClientCertificateFor,
  newAuthority,
  OPT_IN,
  pipelinePod,
  registerWebhook,
  RUNTIME_CONFIG_ANNOTATION,
  startControlPlane,
  startWebhook,
  uniqueName,
  waitFor,
  waitForDefaultServiceAccount,
  type KubeStatus,
} from './cluster/index.js';
import { writeClientKubeconfig } from './cluster/kubeconfig.js';
import { writePem } from './cluster/pki.js';
import { chartTemplateRules } from './helm-render.js';
import { assertExampleInjected, assertNotInjected, logReport, type Pod } from './helpers.js';

const cp = await startControlPlane();
const core = cp.kc.makeApiClient(CoreV1Api);
const rbac = cp.kc.makeApiClient(RbacAuthorizationV1Api);

async function namespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  const res = await cp.rest.post('/api/v1/namespaces', { metadata: { name: ns, labels: OPT_IN } });
  if (res.status !== 201) throw new Error(`create namespace ${ns}: HTTP ${res.status} ${res.text}`);
  await waitForDefaultServiceAccount(cp.kc, ns);
  return ns;
}
const listed = await namespace('cmlisted');
const unlisted = await namespace('cmother');


// A user bound to the chart's Role in the listed namespace only.
const user = 'feldera-sidecar-injector-config-maps';
const dir = mkdtempSync(join(tmpdir(), 'feldera-e2e-cm-namespaces-'));
const pem = writePem(dir, 'user', issueClientCertificateFor({ cert: cp.pki.ca.cert, key: cp.pki.ca.key }, user));
const kubeconfig = writeClientKubeconfig(join(dir, 'user.kubeconfig'), { server: cp.server, caFile: cp.pki.ca.certFile, certFile: pem.certFile, keyFile: pem.keyFile, user });
const rules = chartTemplateRules<V1PolicyRule>('rbac-config-maps.yaml');
await rbac.createNamespacedRole({ namespace: listed, body: { metadata: { name: user }, rules } });
await rbac.createNamespacedRoleBinding({
  namespace: listed,
  body: {
    metadata: { name: user },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: user },
    subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
  },
});

const ca = newAuthority('feldera-e2e webhook serving CA');
const webhook = await startWebhook({
  port: cp.webhookPort,
  ca,
  set: { 'pipeline.configSource': 'both', 'pipeline.configMap.namespaces': `[${listed}]`, 'cluster.kubeconfig': kubeconfig },
});
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, [webhook])}\n`);
  await webhook.dispose();
  await cp.stop();
});

/** A pipeline pod without the runtime-config annotation, and its ConfigMap pipeline-<id> in the same namespace. */
async function podWithConfigMap(ns: string): Promise<object> {
  const id = randomUUID();
  const pod = pipelinePod({ namespace: ns, id });
  delete (pod.metadata as { annotations: Record<string, string> }).annotations[RUNTIME_CONFIG_ANNOTATION];
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `pipeline-${id}` }, data: { 'config.yaml': JSON.stringify({ name: 'p', ...exampleRuntimeConfig() }) } } });
  return pod;
}

t.test('the chart grants exactly get, list and watch on configmaps; the user cannot list them cluster-wide', async (t) => {
  t.strictSame(rules, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
  const review = await cp.rest.post<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    spec: { user, resourceAttributes: { verb: 'list', resource: 'configmaps' } },
  });
  t.strictSame([review.status, review.body.status.allowed], [201, false], 'no cluster-wide list for the webhook');
});

t.test('the webhook syncs one watch, in the listed namespace', async (t) => {
  const synced = await webhook.waitForLog('the ConfigMap cache synced', (l) => l.msg === 'cluster cache synced' && String(l.cache).startsWith('configmaps'));
  t.strictSame(synced.cache, `configmaps in ${listed}`);
});

t.test('listed namespace: the pod gets its sidecars from the ConfigMap', async (t) => {
  const pod = await podWithConfigMap(listed);
  await waitFor('the ConfigMap in the webhook cache', async () => {
    const dry = await cp.rest.post<Pod>(`/api/v1/namespaces/${listed}/pods?dryRun=All`, pod);
    return (dry.body.spec?.initContainers ?? []).length > 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  const res = await cp.rest.post<Pod & KubeStatus>(`/api/v1/namespaces/${listed}/pods`, pod);
  t.equal(res.status, 201);
  assertExampleInjected(t, res.body, null);
});

t.test('a namespace outside the list: admitted without sidecars although its ConfigMap exists, the warning names the setting', async (t) => {
  const pod = await podWithConfigMap(unlisted);
  const res = await cp.rest.post<Pod & KubeStatus>(`/api/v1/namespaces/${unlisted}/pods`, pod);
  t.equal(res.status, 201);
  assertNotInjected(t, res.body);
  const warning = res.headers.warning;
  const warnings = Array.isArray(warning) ? warning.join('\n') : (warning ?? '');
  t.match(warnings, `is not in pipeline.configMap.namespaces, the namespaces whose ConfigMaps the injector reads; the pod is admitted WITHOUT the pipeline's sidecars`);
  await webhook.waitForLog('the CONFIG_MAP_MISSING admission line', (l) => l.msg === 'admission' && l.code === 'CONFIG_MAP_MISSING' && l.namespace === unlisted);
});
