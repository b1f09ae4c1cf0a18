// Pods that already hold a declared sidecar, through the real kube-apiserver: what Feldera's
// Enterprise runner renders (the declared container in the StatefulSet template), a template
// copied from an injected pod whose runtime_config changed since (drift), and a different
// container under a declared name. Before those, the model of the apiserver's defaults that the
// webhook compares containers with (src/kube/defaults.ts) is checked against the apiserver itself.
import t from 'tap';
import { canonicalText } from '../../src/kube/canonical.js';
import { withApiserverDefaults } from '../../src/kube/defaults.js';
import { sidecarHash, withoutServiceAccountMount } from '../../src/mutate/status.js';
import type { JsonObject } from '../../src/json.js';
import {
  createNamespace,
  newAuthority,
  OPT_IN,
  pipelineStatefulSet,
  registerWebhook,
  RUNTIME_CONFIG_ANNOTATION,
  startControlPlane,
  startWebhook,
  STATUS_ANNOTATION,
  uniqueName,
  WEBHOOK_NAME,
} from './cluster/index.js';
import { createStatefulSet, envNames, logReport, waitForEvent, waitForPod, type Pod } from './helpers.js';

const cp = await startControlPlane();
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhook = await startWebhook({ port: cp.webhookPort, ca });
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, [webhook])}\n`);
  await webhook.dispose();
  await cp.stop();
});


/** Containers that exercise every default the model claims, and some it must leave alone. */
const CONTAINERS: JsonObject[] = [
  { name: 'bare', image: 'ubuntu' },
  { name: 'tagged', image: 'registry.example.com:5000/team/app:1.2' },
  { name: 'latest', image: 'ubuntu:latest' },
  { name: 'digest', image: 'ubuntu@sha256:0123456789012345678901234567890123456789012345678901234567890123' },
  { name: 'upper', image: 'Ubuntu:24.04' },
  { name: 'ports', image: 'x:1', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 81, hostPort: 0 }] },
  {
    name: 'probes',
    image: 'x:1',
    livenessProbe: { httpGet: { port: 8080 } },
    readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
    startupProbe: { grpc: { port: 9000 } },
    lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } }, postStart: { exec: { command: ['true'] } } },
  },
  {
    name: 'env',
    image: 'x:1',
    env: [
      { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'B', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'C', value: '' },
      { name: '1ST_VAR', value: 'x' },
    ],
  },
  { name: 'limits-only', image: 'x:1', resources: { limits: { cpu: '0.5', memory: '1024Mi' } } },
  { name: 'quantities', image: 'x:1', resources: { requests: { cpu: 0.25, memory: '100e6' }, limits: { cpu: '1.0000000001', memory: '1Gi' } } },
  { name: 'security', image: 'x:1', securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
  { name: 'empties', image: 'x:1', workingDir: '', command: [], args: [], stdin: false, securityContext: {} },
];

t.test('the model of kube-apiserver defaults matches what the apiserver stores', async (t) => {
  const ns = uniqueName('defaults');
  await createNamespace(cp.kc, { name: ns });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'defaults', namespace: ns },
    spec: { containers: [{ name: 'main', image: 'x:1' }], initContainers: CONTAINERS.map((c) => ({ ...c, restartPolicy: 'Always' })) },
  };
  const res = await cp.rest.post<Pod>(`/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
  t.strictSame(res.status, 201, `dry-run create: ${res.status === 201 ? 'ok' : res.text}`);
  const stored = (res.body.spec.initContainers ?? []) as unknown as JsonObject[];
  t.strictSame(stored.length, CONTAINERS.length);
  for (const [i, container] of CONTAINERS.entries()) {
    const declared = { ...container, restartPolicy: 'Always' };
    const actual = stored[i] as JsonObject;
    t.strictSame(
      canonicalText(withoutServiceAccountMount(actual)),
      canonicalText(withApiserverDefaults(declared)),
      `${String(container.name)}: the stored container means what the model says`,
    );
    t.strictSame(sidecarHash(actual, false), sidecarHash(declared, false), `${String(container.name)}: same hash as stored and as declared`);
  }
  const pullPolicies = Object.fromEntries(stored.map((c) => [String(c.name), c.imagePullPolicy]));
  t.strictSame(
    [pullPolicies.bare, pullPolicies.tagged, pullPolicies.latest, pullPolicies.digest, pullPolicies.upper],
    [withApiserverDefaults(CONTAINERS[0]!).imagePullPolicy, 'IfNotPresent', 'Always', 'IfNotPresent', 'IfNotPresent'],
    'imagePullPolicy defaults, as the model gives them',
  );
});

/** The seed's sidecar as a user declares it, with a limits-only resource and a port. */
const DECLARED = {
  name: 'example',
  image: 'ubuntu:24.04',
  restartPolicy: 'Always',
  resources: { limits: { memory: '0.5Gi', cpu: '500m' } },
  ports: [{ containerPort: 9000 }],
  command: ['bash', '-c', "echo 'Hello, world!'; sleep infinity"],
};

function statefulSetWith(ns: string, declared: JsonObject[], templateInit: JsonObject[], templateAnnotations: Record<string, string> = {}) {
  const sts = pipelineStatefulSet(ns);
  const spec = sts.object.spec as { template: { metadata: { annotations: Record<string, string> }; spec: JsonObject } };
  const annotations = spec.template.metadata.annotations;
  const runtime = JSON.parse(annotations[RUNTIME_CONFIG_ANNOTATION] ?? '{}') as JsonObject;
  annotations[RUNTIME_CONFIG_ANNOTATION] = JSON.stringify({ ...runtime, init_containers: declared });
  Object.assign(annotations, templateAnnotations);
  spec.template.spec.initContainers = templateInit;
  return sts;
}

t.test('a StatefulSet whose template already holds the declared sidecar (Feldera Enterprise)', async (t) => {
  const ns = uniqueName('upstream');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  // The runner puts the declared container into the template verbatim.
  const sts = statefulSetWith(ns, [DECLARED], [DECLARED]);
  await createStatefulSet(cp, ns, sts.object);
  const pod = await waitForPod(cp, ns, sts.podName);
  const init = pod.spec.initContainers ?? [];
  t.strictSame(init.map((c) => c.name), ['example'], 'one sidecar, not two, and not refused');
  const example = init[0];
  t.strictSame(example?.restartPolicy, 'Always');
  t.strictSame(example?.resources, { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } }, 'the platform defaults fill the requests the user left out');
  t.strictSame(envNames(example).slice(0, 4), ['FELDERA_PIPELINE_ID', 'FELDERA_PIPELINE_POD_NAME', 'FELDERA_PIPELINE_NAMESPACE', 'FELDERA_PIPELINE_URL'], 'discovery env added');
  t.strictSame(example?.command, DECLARED.command);
  const status = JSON.parse(pod.metadata.annotations?.[STATUS_ANNOTATION] ?? '{}') as { sidecars?: { name: string; hash: string }[] };
  t.strictSame(status.sidecars?.map((s) => s.name), ['example']);
  t.strictSame(status.sidecars?.[0]?.hash, sidecarHash(example as unknown as JsonObject, false), 'the status hash is the hash of the container as the apiserver stored it');
  const line = await webhook.waitForLog('the upstream pod admission', (l) => l.msg === 'admission' && l.pod === sts.podName && l.dryRun === false);
  t.strictSame([line.decision, line.reason], ['injected', 'sidecars brought to the declared spec']);
});

t.test('a template copied from an injected pod, whose runtime_config changed since: re-rendered', async (t) => {
  const ns = uniqueName('drift');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const old = { ...DECLARED, image: 'ubuntu:23.10' };
  // First: a pod injected for the old runtime_config, as the apiserver stored it.
  const first = statefulSetWith(ns, [old], []);
  await createStatefulSet(cp, ns, first.object);
  const injected = await waitForPod(cp, ns, first.podName);
  const oldSidecar = (injected.spec.initContainers ?? [])[0] as unknown as JsonObject;
  t.strictSame(oldSidecar.image, 'ubuntu:23.10');
  // Then: a StatefulSet whose template is that pod's sidecar and status, with today's runtime_config.
  const copied = statefulSetWith(ns, [DECLARED], [withoutServiceAccountMount(oldSidecar)], { [STATUS_ANNOTATION]: injected.metadata.annotations?.[STATUS_ANNOTATION] ?? '' });
  await createStatefulSet(cp, ns, copied.object);
  const pod = await waitForPod(cp, ns, copied.podName);
  const init = pod.spec.initContainers ?? [];
  t.strictSame(init.map((c) => [c.name, c.image]), [['example', 'ubuntu:24.04']], 'the stale container is re-rendered from the runtime_config');
  const status = JSON.parse(pod.metadata.annotations?.[STATUS_ANNOTATION] ?? '{}') as { sidecars?: { hash: string }[] };
  t.strictSame(status.sidecars?.[0]?.hash, sidecarHash(init[0] as unknown as JsonObject, false), 'the status describes the container the pod has');
});

t.test('a different container under a declared name: refused, naming both', async (t) => {
  const ns = uniqueName('collision');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = statefulSetWith(ns, [DECLARED], [{ ...DECLARED, image: 'ubuntu:22.04' }]);
  await createStatefulSet(cp, ns, sts.object);
  const event = await waitForEvent(cp, ns, sts.name, (e) => e.reason === 'FailedCreate');
  t.match(event.message ?? '', `admission webhook "${WEBHOOK_NAME}" denied the request`);
  t.match(event.message ?? '', 'init_containers[0].name: "example" collides with spec.initContainers[0] of the pod, which has a different spec');
});
