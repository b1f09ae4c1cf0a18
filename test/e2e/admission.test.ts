// End to end through a real kube-apiserver, etcd and kube-controller-manager: what the apiserver
// stores when the StatefulSet controller (or a user) creates pipeline pods with the webhook
// registered. One control plane for the file, one namespace per case.
import t from 'tap';
import {
  createNamespace,
  exampleRuntimeConfig,
  newAuthority,
  OPT_IN,
  pipelinePod,
  pipelineStatefulSet,
  registerWebhook,
  startControlPlane,
  startWebhook,
  STATUS_ANNOTATION,
  uniqueName,
  WEBHOOK_NAME,
  type KubeStatus,
  type Webhook,
} from './cluster/index.js';
import {
  assertExampleInjected,
  assertNotInjected,
  createStatefulSet,
  deleteStatefulSet,
  getPod,
  logReport,
  waitForEvent,
  waitForPod,
  type Pod,
} from './helpers.js';

const cp = await startControlPlane();
t.comment(`control plane (etcd, kube-apiserver, kube-controller-manager) ready in ${cp.startupMs} ms at ${cp.server}`);
// One CA for every webhook process of this file: the registration's caBundle stays valid.
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhooks: Webhook[] = [];
let webhook = await startWebhook({ port: cp.webhookPort, ca });
webhooks.push(webhook);
const registeredAt = Date.now();
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
t.comment(`webhook registered and called by the apiserver after ${Date.now() - registeredAt} ms`);

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});

/** Runs `body` with another webhook process (other configuration) on the same port, then puts the default one back. */
async function withWebhook(set: Record<string, string | boolean>, body: (w: Webhook) => Promise<void>): Promise<void> {
  await webhook.stop();
  const other = await startWebhook({ port: cp.webhookPort, ca, set });
  webhooks.push(other);
  try {
    await body(other);
  } finally {
    await other.stop();
    await webhook.start();
  }
}

t.test('StatefulSet pod in an opted-in namespace is stored with the sidecars', async (t) => {
  const ns = uniqueName('feldera');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = pipelineStatefulSet(ns);
  await createStatefulSet(cp, ns, sts.object);

  const pod = await waitForPod(cp, ns, sts.podName);
  t.match(pod.metadata.ownerReferences, [{ kind: 'StatefulSet', name: sts.name, controller: true }], 'created by the StatefulSet controller');
  assertExampleInjected(t, pod, sts.id);
  const ingest = pod.spec.initContainers?.[1];
  // The webhook's patch does not set these; the apiserver defaults the patched object again.
  t.equal(ingest?.terminationMessagePolicy, 'File', 'apiserver defaulted terminationMessagePolicy on the injected sidecar');
  t.equal(ingest?.imagePullPolicy, 'IfNotPresent', 'apiserver defaulted imagePullPolicy on the injected sidecar');

  const mounts = (ingest?.volumeMounts ?? []) as Array<{ name: string }>;
  t.ok(
    mounts.some((m) => m.name.startsWith('kube-api-access-')),
    'the ServiceAccount admission plugin, re-run after our patch, mounted the API token into the sidecar',
  );

  const ours = (l: { msg?: string; namespace?: unknown; pod?: unknown }): boolean => l.msg === 'admission' && l.namespace === ns && l.pod === sts.podName;
  await webhook.waitForLog('the reinvocation of the webhook for the StatefulSet pod', (l) => ours(l) && l.decision === 'unchanged');
  const lines = webhook.lines.filter(ours);
  t.match(lines[0], { operation: 'CREATE', decision: 'injected', dryRun: false, injected: ['example', 'ingest-sidecar'] }, 'first call: injected');
  t.ok(lines.length >= 2, `reinvoked (reinvocationPolicy IfNeeded) after in-tree plugins changed the pod: ${lines.length} calls`);
  t.same(
    lines.slice(1).map((l) => l.decision),
    lines.slice(1).map(() => 'unchanged'),
    'every reinvocation: no patch, no duplicate',
  );
});

t.test('StatefulSet pod in a namespace without the opt-in label is stored untouched', async (t) => {
  const ns = uniqueName('plain');
  await createNamespace(cp.kc, { name: ns });
  const sts = pipelineStatefulSet(ns);
  await createStatefulSet(cp, ns, sts.object);

  const pod = await waitForPod(cp, ns, sts.podName);
  assertNotInjected(t, pod);
  t.ok(pod.metadata.annotations?.['feldera.com/runtime-config'], 'it is a pipeline pod (it carries the runtime config)');
  t.notOk(
    webhook.admissions().some((l) => l.namespace === ns),
    'the apiserver never called the webhook for this namespace (namespaceSelector)',
  );
});

t.test('pipeline.allowInitContainers=false: the pod is not created and the StatefulSet says why', async (t) => {
  await withWebhook({ 'pipeline.allowInitContainers': false }, async (strict) => {
    const ns = uniqueName('forbidden');
    await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
    const sts = pipelineStatefulSet(ns);
    await createStatefulSet(cp, ns, sts.object);

    const event = await waitForEvent(cp, ns, sts.name, (e) => e.reason === 'FailedCreate');
    t.equal(event.type, 'Warning');
    t.match(event.message, `admission webhook "${WEBHOOK_NAME}" denied the request`, 'the event names our webhook');
    t.match(event.message, 'pipeline.allowInitContainers: false', 'the event carries our message');
    t.equal((await getPod(cp, ns, sts.podName)).status, 404, 'no pod was created');
    // Log lines are written asynchronously: the event may be seen before the line arrives.
    await strict.waitForLog('the denial', (l) => l.msg === 'admission' && l.namespace === ns && l.decision === 'denied');
    t.pass('the webhook logged the denial');
    // Stop the controller's retries before the permissive webhook comes back.
    await deleteStatefulSet(cp, ns, sts.name);
  });
});

t.test('a malformed runtime config and an invalid sidecar are refused at pod creation', async (t) => {
  const ns = uniqueName('invalid');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });

  const malformed = pipelinePod({ namespace: ns, name: 'malformed-0', runtimeConfig: '{"workers": 8, "init_containers": [{"name": "x",}]}' });
  const first = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${ns}/pods`, malformed);
  t.ok(first.status >= 400 && first.status < 500, `HTTP 4xx from the apiserver (got ${first.status})`);
  t.match(first.body.message, `admission webhook "${WEBHOOK_NAME}" denied the request`);
  t.match(first.body.message, 'annotation feldera.com/runtime-config is not valid JSON');
  t.equal((await getPod(cp, ns, 'malformed-0')).status, 404, 'nothing created');

  const config = exampleRuntimeConfig();
  config.init_containers = [{ name: 'greedy', image: 'ubuntu:24.04', resources: { limits: { cpu: 'lots' } } }];
  const invalid = pipelinePod({ namespace: ns, name: 'invalid-0', runtimeConfig: config });
  const second = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${ns}/pods`, invalid);
  t.ok(second.status >= 400 && second.status < 500, `HTTP 4xx from the apiserver (got ${second.status})`);
  t.match(second.body.message, 'init_containers[0].resources.limits.cpu: not a valid quantity');
  // Denials reach the StatefulSet's events, readable by anyone who can list them: the value is never quoted.
  t.notMatch(second.body.message, 'lots', 'the message names the field, not its value');
  t.equal((await getPod(cp, ns, 'invalid-0')).status, 404, 'nothing created');
  t.comment(`apiserver answered ${first.status} (${first.body.reason ?? ''}) and ${second.status} (${second.body.reason ?? ''})`);
});

t.test('server-side dry run returns the injected pod and leaves no trace', async (t) => {
  const ns = uniqueName('dryrun');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = pipelineStatefulSet(ns);
  const pod = pipelinePod({ namespace: ns, id: sts.id });
  const name = (pod.metadata as { name: string }).name;

  const answer = await cp.rest.post<Pod>(`/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
  t.equal(answer.status, 201, 'the dry run answers 201 Created');
  assertExampleInjected(t, answer.body, sts.id);
  t.equal(answer.body.metadata.uid !== undefined, true, 'the answer is the would-be stored object');
  t.equal((await getPod(cp, ns, name)).status, 404, 'GET after the dry run: 404');

  const line = await webhook.waitForLog('admission of the dry run', (l) => l.msg === 'admission' && l.namespace === ns && l.pod === name);
  t.equal(line.dryRun, true, 'the webhook saw dryRun: true');
  t.equal(line.decision, 'injected');

  // The same through @kubernetes/client-node (what a controller or kubectl --dry-run=server does).
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const viaClient = await cp.kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: ns, body: pod, dryRun: 'All' });
  t.same(
    viaClient.spec?.initContainers?.map((c) => c.name),
    ['example', 'ingest-sidecar'],
  );
  t.ok(viaClient.metadata?.annotations?.[STATUS_ANNOTATION]);
  t.equal((await getPod(cp, ns, name)).status, 404, 'still nothing stored');
});

t.test('webhook down with failurePolicy Fail: no pod until it is back, then the controller retries', async (t) => {
  const ns = uniqueName('outage');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  await webhook.stop();
  const sts = pipelineStatefulSet(ns);
  const down = Date.now();
  try {
    await createStatefulSet(cp, ns, sts.object);
    const event = await waitForEvent(cp, ns, sts.name, (e) => e.reason === 'FailedCreate');
    t.match(event.message, `failed calling webhook "${WEBHOOK_NAME}"`, 'the FailedCreate event names the failed webhook call');
    t.equal((await getPod(cp, ns, sts.podName)).status, 404, 'no pod while the webhook is down (fail closed, never uninjected)');
    t.comment(`FailedCreate: ${event.message ?? ''}`);
  } finally {
    await webhook.start();
  }
  const back = Date.now();
  const pod = await waitForPod(cp, ns, sts.podName, 90_000);
  t.comment(`webhook down for ${back - down} ms; pod created ${Date.now() - back} ms after it came back`);
  assertExampleInjected(t, pod, sts.id);
  const failed = await waitForEvent(cp, ns, sts.name, (e) => e.reason === 'FailedCreate');
  t.ok((failed.count ?? 1) >= 1, `FailedCreate recorded ${failed.count ?? 1} time(s)`);
  const create = await waitForEvent(cp, ns, sts.name, (e) => e.reason === 'SuccessfulCreate' && (e.message ?? '').includes(sts.podName));
  t.ok(create, 'SuccessfulCreate recorded once the webhook was back');
});
