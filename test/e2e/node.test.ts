// What the injection promises, observed on pods a real kubelet runs (containerd, runc, one node):
// each case asserts on the pod's status or on the containers' own output (their logs, read
// through the apiserver from the kubelet). The webhook runs as a host process registered by URL;
// the in-cluster webhook is in-cluster-webhook.test.ts.
import t from 'tap';
import {
  createNamespace,
  findNodeTools,
  freePort,
  INSTALL_HINT,
  newAuthority,
  OPT_IN,
  registerWebhook,
  seedSidecar,
  SHELL_IMAGE,
  standInPipelineCommand,
  startControlPlane,
  startWebhook,
  STATUS_ANNOTATION,
  uniqueName,
  waitFor,
  type Webhook,
} from './cluster/index.js';
import { DEFAULT_RESOURCES, deleteStatefulSet, logReport, waitForEvent } from './helpers.js';
import { applyNodePipeline, containerLog, getRunningPod, statusOf, waitForLogText, waitForRunningPod, type RunningPod } from './node-helpers.js';

const STRICT_LABEL = { 'feldera-e2e/strict': 'true' };

t.test('a missing prerequisite fails with what to install', async (t) => {
  const path = process.env.PATH;
  t.ok(INSTALL_HINT.startsWith('apt-get update && apt-get install -y --no-install-recommends containerd runc containernetworking-plugins busybox-static'), 'the hint is the apt-get command .ci/run runs');
  t.strictSame(typeof findNodeTools().containerd, 'string', 'on this machine every tool is there');
  // No containerd, ctr, runc... on an empty PATH and no fallback dirs: the message names each one.
  process.env.PATH = '/nonexistent';
  try {
    t.throws(() => findNodeTools({ searchDirs: [] }), { message: /containerd not found \(Debian package containerd\)[\s\S]*runc not found \(Debian package runc\)[\s\S]*Install the packages with:\n  apt-get update && apt-get install/ });
  } finally {
    process.env.PATH = path;
  }
});

// Two webhook ports: the default webhook, and one with allowInitContainers=false.
const cp = await startControlPlane({ nodes: 1, webhookPorts: [await freePort(), await freePort()] });
t.comment(`cluster with one node ready in ${cp.startupMs} ms (node Ready ${cp.nodes?.startupMs ?? '?'} ms after its start)`);
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhooks: Webhook[] = [];
const webhook = await startWebhook({ port: cp.webhookPort, ca });
webhooks.push(webhook);
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});

/** A sidecar that proves what it sees: env, its cgroup limits, the pipeline through $(FELDERA_PIPELINE_URL); exits 3 on its first run. */
function probeSidecar(resources?: Record<string, unknown>): Record<string, unknown> {
  const script = [
    'url="$1"',
    'echo "probe started" >> /storage/order',
    'echo "env pod=$FELDERA_PIPELINE_POD_NAME namespace=$FELDERA_PIPELINE_NAMESPACE id=$FELDERA_PIPELINE_ID url=$url"',
    'echo "cgroup memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) cfs_quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) shares=$(cat /sys/fs/cgroup/cpu/cpu.shares)"',
    'until body="$(wget -qO- "$url/ingress/events")"; do sleep 0.3; done',
    'echo "pipeline answered: $body"',
    'if [ ! -e /storage/probe-exited ]; then touch /storage/probe-exited; echo "exiting 3 (first run)"; exit 3; fi',
    'exec sleep infinity',
  ].join('\n');
  return {
    name: 'probe',
    image: SHELL_IMAGE,
    // $(FELDERA_PIPELINE_URL) is expanded by the kubelet from the env the webhook injected.
    command: ['bash', '-c', script, 'probe', '$(FELDERA_PIPELINE_URL)'],
    volumeMounts: [{ name: 'storage', mountPath: '/storage' }],
    ...(resources === undefined ? {} : { resources }),
  };
}

/** The stand-in pipeline, first printing what ran before it (the sidecars' marks in /storage/order). */
const pipelineCommand = [
  '/bin/sh',
  '-c',
  `echo "before me:"; cat /storage/order 2>/dev/null; echo "pipeline started" >> /storage/order; ${standInPipelineCommand()[2] ?? ''}`,
];

t.test('the seed example and a probe sidecar on a running pipeline pod', async (t) => {
  const ns = uniqueName('node');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const seed = { ...seedSidecar(), image: SHELL_IMAGE };
  const sts = await applyNodePipeline(cp, { namespace: ns, image: SHELL_IMAGE, initContainers: [seed, probeSidecar()], command: pipelineCommand });
  const running = await waitForRunningPod(cp, ns, sts.podName);
  t.strictSame(
    (running.spec.initContainers ?? []).map((c) => [c.name, c.restartPolicy]),
    [
      ['example', 'Always'],
      ['probe', 'Always'],
    ],
    'both sidecars injected as native sidecars',
  );
  t.equal(running.spec.nodeName, cp.nodes?.nodes[0]?.name, 'scheduled on the node and run by its kubelet');

  t.test('the seed sidecar prints Hello, world! (kubectl logs through the apiserver)', async (t) => {
    t.strictSame(await waitForLogText(cp, ns, sts.podName, 'example', 'Hello, world!'), 'Hello, world!\n');
  });

  t.test('sidecars start before the pipeline container', async (t) => {
    const pod = (await getRunningPod(cp, ns, sts.podName)) as RunningPod;
    const startedAt = (name: string): number => Date.parse(statusOf(pod, name)?.state?.running?.startedAt ?? statusOf(pod, name)?.lastState?.terminated?.startedAt ?? '');
    t.ok(startedAt('example') <= startedAt('pipeline'), `example started (${statusOf(pod, 'example')?.state?.running?.startedAt}) no later than the pipeline`);
    const pipelineLog = await waitForLogText(cp, ns, sts.podName, 'pipeline', 'before me:');
    const before = pipelineLog.split('before me:\n')[1]?.split('\n')[0] ?? '';
    t.strictSame(before, "probe started", "the pipeline's first output shows the probe sidecar had already run");
  });

  t.test('a sidecar reaches the pipeline through $(FELDERA_PIPELINE_URL)', async (t) => {
    const log = await waitForLogText(cp, ns, sts.podName, 'probe', 'pipeline answered:');
    t.match(log, /env .* url=http:\/\/127\.0\.0\.1:8080\n/, 'the kubelet expanded $(FELDERA_PIPELINE_URL) to the pipeline port on localhost');
    t.match(log, /pipeline answered: accepted\n/, 'the sidecar got the pipeline\'s answer');
    t.match(await waitForLogText(cp, ns, sts.podName, 'pipeline', 'url:/ingress/events'), /url:\/ingress\/events\n/, 'the stand-in pipeline logged the sidecar\'s request');
  });

  t.test('the discovery env is resolved by the kubelet', async (t) => {
    const log = await waitForLogText(cp, ns, sts.podName, 'probe', 'env pod=');
    const line = log.split('\n').find((l) => l.startsWith('env pod='));
    t.strictSame(line, `env pod=${sts.podName} namespace=${ns} id=${sts.id} url=http://127.0.0.1:8080`, 'its own pod name and namespace (downward API) and the pipeline id');
  });

  t.test('the filled resource defaults are what the kubelet runs', async (t) => {
    const pod = (await getRunningPod(cp, ns, sts.podName)) as RunningPod;
    t.strictSame(statusOf(pod, 'probe')?.resources, DEFAULT_RESOURCES, 'probe (declared none): the defaults in the container status');
    t.strictSame(statusOf(pod, "example")?.resources, seedSidecar().resources, "example: its declared resources");
    t.equal(pod.status?.qosClass, 'Burstable', 'QoS class Burstable');
    const log = await waitForLogText(cp, ns, sts.podName, 'probe', 'cgroup memory=');
    t.match(log, /cgroup memory=536870912 cfs_quota=50000 shares=256\n/, "the probe's own cgroup: 512Mi memory limit, 500m CPU quota, 250m CPU shares");
  });

  t.test('a sidecar that exits is restarted alone', async (t) => {
    const before = (await getRunningPod(cp, ns, sts.podName)) as RunningPod;
    const pipelineId = statusOf(before, 'pipeline')?.containerID;
    const pod = await waitForRunningPod(cp, ns, sts.podName, (p) => (statusOf(p, 'probe')?.restartCount ?? 0) >= 1 && statusOf(p, 'probe')?.state?.running !== undefined);
    t.equal(statusOf(pod, 'probe')?.lastState?.terminated?.exitCode, 3, 'the probe exited 3 on its first run');
    t.ok((statusOf(pod, 'probe')?.restartCount ?? 0) >= 1, 'and was restarted');
    t.strictSame(
      ['pipeline', 'example'].map((name) => [name, statusOf(pod, name)?.restartCount]),
      [
        ['pipeline', 0],
        ['example', 0],
      ],
      'the pipeline container and the other sidecar were not restarted',
    );
    t.equal(statusOf(pod, 'pipeline')?.containerID, pipelineId, 'the pipeline container is the same one');
    t.match(await containerLog(cp, ns, sts.podName, 'probe', true), /exiting 3 \(first run\)/, "the previous run's own log says it exited");
    const requests = await waitFor(
      'the restarted probe to reach the pipeline',
      async () => {
        const n = (await containerLog(cp, ns, sts.podName, 'pipeline')).split('url:/ingress/events').length - 1;
        return n >= 2 ? n : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    t.ok(requests >= 2, `the pipeline saw the restarted sidecar's request too (${requests} requests)`);
  });
  await deleteStatefulSet(cp, ns, sts.name);
});

t.test('filled defaults that make every container Guaranteed', async (t) => {
  const ns = uniqueName('qos');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const limits = { cpu: '100m', memory: '64Mi' };
  const sts = await applyNodePipeline(cp, {
    namespace: ns,
    image: SHELL_IMAGE,
    initContainers: [probeSidecar({ limits })],
    command: pipelineCommand,
    pipelineResources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
  });
  const pod = await waitForRunningPod(cp, ns, sts.podName);
  t.strictSame(statusOf(pod, 'probe')?.resources, { requests: limits, limits }, 'requests filled and lowered to the declared limits');
  t.equal(pod.status?.qosClass, 'Guaranteed', 'QoS class Guaranteed');
  t.match(await waitForLogText(cp, ns, sts.podName, 'probe', 'cgroup memory='), /cgroup memory=67108864 cfs_quota=10000 shares=102\n/, 'its cgroup: 64Mi, 100m quota, 100m shares');
  await deleteStatefulSet(cp, ns, sts.name);
});

t.test('a multi-host pipeline (hosts: 2) runs its sidecar in pod 0 only', async (t) => {
  const ns = uniqueName('hosts');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = await applyNodePipeline(cp, { namespace: ns, image: SHELL_IMAGE, initContainers: [{ ...seedSidecar(), image: SHELL_IMAGE }], runtimeConfig: { hosts: 2 }, replicas: 2 });
  const [pod0, pod1] = await Promise.all([0, 1].map((i) => waitForRunningPod(cp, ns, `${sts.name}-${i}`)));
  t.strictSame((pod0?.spec.initContainers ?? []).map((c) => c.name), ['example'], 'pod 0 (the coordinator) has the sidecar');
  t.strictSame(pod1?.spec.initContainers, undefined, 'pod 1 has none');
  t.strictSame([pod0?.status?.phase, pod1?.status?.phase], ['Running', 'Running'], 'both run');
  t.strictSame((pod1?.status?.containerStatuses ?? []).map((c) => c.name), ['pipeline'], 'pod 1 runs only the pipeline');
  t.strictSame(await waitForLogText(cp, ns, `${sts.name}-0`, 'example', 'Hello, world!'), 'Hello, world!\n', "pod 0's sidecar ran");
  await deleteStatefulSet(cp, ns, sts.name);
});

t.test('allowInitContainers: false', async (t) => {
  // A second webhook with the setting, for namespaces labelled feldera-e2e/strict=true.
  const strict = await startWebhook({ port: cp.webhookPorts[1] ?? cp.webhookPort, ca, set: { 'pipeline.allowInitContainers': false } });
  webhooks.push(strict);
  const ns = uniqueName('strict');
  await createNamespace(cp.kc, { name: ns, labels: STRICT_LABEL });
  await registerWebhook(cp.kc, { name: 'feldera-sidecar-injector-strict', port: strict.port, caBundle: strict.caBundle, namespaceSelector: { matchLabels: STRICT_LABEL }, probeNamespace: ns });

  const refused = await applyNodePipeline(cp, { namespace: ns, image: SHELL_IMAGE, initContainers: [{ ...seedSidecar(), image: SHELL_IMAGE }] });
  const event = await waitForEvent(cp, ns, refused.name, (e) => e.reason === 'FailedCreate');
  t.match(event.message, /allowInitContainers/, `the StatefulSet's FailedCreate event carries our message: ${event.message?.slice(0, 160) ?? ''}`);
  t.strictSame(await getRunningPod(cp, ns, refused.podName), null, 'no pod');

  const optedOut = await applyNodePipeline(cp, { namespace: ns, image: SHELL_IMAGE, initContainers: [{ ...seedSidecar(), image: SHELL_IMAGE }], labels: { 'sidecar.feldera.com/inject': 'false' } });
  const pod = await waitForRunningPod(cp, ns, optedOut.podName);
  t.strictSame(pod.spec.initContainers, undefined, 'an opted-out pipeline pod has no sidecars');
  t.strictSame(pod.metadata.annotations?.[STATUS_ANNOTATION], undefined, 'and no status annotation');
  t.strictSame((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.ready]), [['pipeline', true]], 'and runs');
  await deleteStatefulSet(cp, ns, refused.name);
  await deleteStatefulSet(cp, ns, optedOut.name);
});

t.test('teardown leaves the machine as it was found', async (t) => {
  for (const w of webhooks) await w.dispose();
  await cp.stop();
  const diff = cp.machineDiff();
  t.ok(diff !== null, 'the nodes were listed before and after');
  t.strictSame(diff?.added, { mounts: [], iptables: [], cgroups: [], sysctls: [], paths: [] }, 'nothing added: mounts, iptables, cgroups, sysctls, host folders');
  t.strictSame(diff?.removed, { mounts: [], iptables: [], cgroups: [], sysctls: [], paths: [] }, 'nothing removed');
});
