// End to end through a real kube-apiserver (and its StatefulSet controller): the webhook reads
// namespaces (their sidecar.feldera.com/policy annotation) and Feldera's pipeline ConfigMaps from
// informer caches, with the control plane's kubeconfig. pipeline.configSource=both: a pod with
// the runtime-config annotation uses it, one without gets its config from ConfigMap
// pipeline-<uuid>. And `explain --live` against the same cluster.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  exampleRuntimeConfig,
  newAuthority,
  OPT_IN,
  pipelinePod,
  pipelineStatefulSet,
  registerWebhook,
  RUNTIME_CONFIG_ANNOTATION,
  startControlPlane,
  startWebhook,
  uniqueName,
  waitFor,
  waitForDefaultServiceAccount,
  type KubeStatus,
} from './cluster/index.js';
import { webhookEntryPoint } from './cluster/webhook-build.js';
import { assertExampleInjected, assertNotInjected, createStatefulSet, logReport, waitForPod, type Pod } from './helpers.js';

const POLICY = 'sidecar.feldera.com/policy';
const cp = await startControlPlane();
const ca = newAuthority('feldera-e2e webhook serving CA');
const SETTINGS = { 'namespacePolicy.enabled': true, 'pipeline.configSource': 'both', 'cluster.kubeconfig': cp.kubeconfigPath };
const webhook = await startWebhook({ port: cp.webhookPort, ca, set: SETTINGS });
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
const core = cp.kc.makeApiClient(CoreV1Api);

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, [webhook])}\n`);
  await webhook.dispose();
  await cp.stop();
});

async function namespaceWithPolicy(policy: string | null): Promise<string> {
  const ns = uniqueName('nspol');
  const res = await cp.rest.post('/api/v1/namespaces', { metadata: { name: ns, labels: OPT_IN, annotations: policy === null ? {} : { [POLICY]: policy } } });
  if (res.status !== 201) throw new Error(`create namespace ${ns}: HTTP ${res.status} ${res.text}`);
  await waitForDefaultServiceAccount(cp.kc, ns);
  return ns;
}

/** Creates the pod; first waits (with dry runs, which the webhook answers the same) until its caches see `ready`. */
async function createPod(ns: string, pod: object, ready: (r: { status: number; body: unknown }) => boolean): Promise<{ status: number; body: Pod & KubeStatus; warnings: string }> {
  await waitFor('the webhook cache to see the namespace/ConfigMap', async () => {
    const dry = await cp.rest.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
    return ready(dry) ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  const res = await cp.rest.post<Pod & KubeStatus>(`/api/v1/namespaces/${ns}/pods`, pod);
  const warning = res.headers.warning;
  return { status: res.status, body: res.body, warnings: Array.isArray(warning) ? warning.join('\n') : (warning ?? '') };
}
const denied = (r: { status: number }): boolean => r.status === 403;

t.test('a namespace that forbids sidecars: its pipeline pods are denied, the message names the annotation', async (t) => {
  const ns = await namespaceWithPolicy('allowInitContainers: false');
  const res = await createPod(ns, pipelinePod({ namespace: ns }), denied);
  t.equal(res.status, 403);
  t.match(res.body.message, `namespace "${ns}" forbids them (annotation ${POLICY}: allowInitContainers false)`);
});

t.test('a namespace that narrows images: a sidecar image outside its patterns is denied', async (t) => {
  const ns = await namespaceWithPolicy('{"allowedImages": ["registry.example.com/*"]}');
  const res = await createPod(ns, pipelinePod({ namespace: ns }), denied);
  t.equal(res.status, 403);
  t.match(res.body.message, `"ubuntu:24.04" is not allowed by namespace "${ns}" annotation ${POLICY}: allowedImages (allowed: registry.example.com/*)`);
});

t.test('a malformed namespace annotation fails closed, naming the annotation', async (t) => {
  const ns = await namespaceWithPolicy('{"maxSidecars": ');
  const res = await createPod(ns, pipelinePod({ namespace: ns }), denied);
  t.equal(res.status, 403);
  t.match(res.body.message, `namespace annotation ${POLICY} is invalid: it is not valid JSON`);
  t.match(res.body.message, `kubectl annotate namespace ${ns} ${POLICY}-`);
});

t.test('a loosening namespace annotation: ignored, the pod is injected, the warning reaches the client', async (t) => {
  const ns = await namespaceWithPolicy('{"podSecurity": "privileged", "maxSidecars": 5}');
  const res = await createPod(ns, pipelinePod({ namespace: ns }), (r) => r.status === 201);
  t.equal(res.status, 201);
  assertExampleInjected(t, res.body, null);
  t.match(res.warnings, "podSecurity privileged is looser than the platform's baseline; the platform's applies", 'Warning header');
});

t.test("configMap source: a StatefulSet without the runtime-config annotation gets its sidecars from Feldera's ConfigMap", async (t) => {
  const ns = await namespaceWithPolicy(null);
  const sts = pipelineStatefulSet(ns);
  const template = (sts.object.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
  delete template.metadata.annotations[RUNTIME_CONFIG_ANNOTATION];
  // Feldera writes the PipelineConfig (RuntimeConfig fields at its top level) as YAML or JSON.
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: sts.name }, data: { 'config.yaml': JSON.stringify({ name: 'p', ...exampleRuntimeConfig() }) } } });
  const probe = pipelinePod({ namespace: ns, id: sts.id });
  delete (probe.metadata as { annotations: Record<string, string> }).annotations[RUNTIME_CONFIG_ANNOTATION];
  await waitFor('the ConfigMap in the webhook cache', async () => {
    const dry = await cp.rest.post<Pod>(`/api/v1/namespaces/${ns}/pods?dryRun=All`, probe);
    return (dry.body.spec?.initContainers ?? []).length > 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  await createStatefulSet(cp, ns, sts.object);
  const pod = await waitForPod(cp, ns, sts.podName);
  t.equal(pod.metadata.annotations?.[RUNTIME_CONFIG_ANNOTATION], undefined, 'the pod has no runtime-config annotation');
  assertExampleInjected(t, pod, sts.id);

  const { stdout } = await promisify(execFile)(process.execPath, [webhookEntryPoint(), 'explain', '--live', `${ns}/${sts.name}`, '--kubeconfig', cp.kubeconfigPath, ...Object.entries(SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`])]);
  t.match(stdout, `read StatefulSet ${ns}/${sts.name}, Namespace ${ns}, ConfigMap ${ns}/${sts.name}`, 'explain --live read the three objects');
  t.match(stdout, `PipelineConfig read from ConfigMap "${sts.name}" key "config.yaml"`, 'explain --live: where the config came from');
  t.match(stdout, `no ${POLICY} annotation`, 'explain --live: which namespace policy applied');
  t.comment(`explain --live output:\n${stdout}`);
});

t.test('configMap source, ConfigMap missing: the pod is created without sidecars and the warning is visible', async (t) => {
  const ns = await namespaceWithPolicy(null);
  const pod = pipelinePod({ namespace: ns });
  delete (pod.metadata as { annotations: Record<string, string> }).annotations[RUNTIME_CONFIG_ANNOTATION];
  const res = await createPod(ns, pod, (r) => r.status === 201);
  t.equal(res.status, 201);
  assertNotInjected(t, res.body);
  t.match(res.warnings, 'it does not exist; the pod is admitted WITHOUT the pipeline\'s sidecars', 'Warning header names the missing ConfigMap');
  await webhook.waitForLog('the CONFIG_MAP_MISSING admission line', (l) => l.msg === 'admission' && l.code === 'CONFIG_MAP_MISSING' && l.namespace === ns);
});

t.test('explain --live exits 1 for a StatefulSet its namespace policy denies, 2 for one that does not exist', async (t) => {
  const ns = await namespaceWithPolicy('{"maxSidecars": 1}');
  const sts = pipelineStatefulSet(ns);
  const args = (target: string): string[] => [webhookEntryPoint(), 'explain', '--live', target, ...Object.entries(SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`])];
  await cp.rest.post(`/apis/apps/v1/namespaces/${ns}/statefulsets?dryRun=All`, sts.object);
  await createStatefulSet(cp, ns, { ...sts.object, spec: { ...(sts.object.spec as object), replicas: 0 } });
  const run = (target: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, args(target), (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout, stderr }));
    });
  const deniedRun = await run(`${ns}/${sts.name}`);
  t.equal(deniedRun.code, 1, 'denied: exit 1');
  t.match(deniedRun.stdout, 'tightened: maxSidecars 1');
  t.match(deniedRun.stdout, "2 sidecars declared, the namespace's policy allows at most 1");
  t.comment(`explain --live (denied) output:\n${deniedRun.stdout}`);
  const missing = await run(`${ns}/nothing-here`);
  t.strictSame([missing.code, missing.stderr.trim()], [2, `error: no StatefulSet and no pod named "nothing-here" in namespace "${ns}"`]);
});
