// The webhook runs in the cluster it serves: its own image (built from the Dockerfile with
// buildah over a locally made Node 20 base, scripts/webhook-image.sh), imported into two real
// nodes' containerd, installed with the Helm chart (selfManaged certificates, 2 replicas,
// hostNetwork). kube-apiserver calls it through its Service: the egress selector hands
// <service>.<namespace>.svc:443 to the harness's cluster network, which picks a Ready replica as
// kube-proxy would (cluster-network.ts says why endpoints cannot be used with loopback nodes).
// Two nodes because two hostNetwork replicas cannot share one node's ports.
import { join } from 'node:path';
import t from 'tap';
import {
  createNamespace,
  ensureWebhookImage,
  OPT_IN,
  pipelinePod,
  seedSidecar,
  SHELL_IMAGE,
  sleep,
  startControlPlane,
  STATUS_ANNOTATION,
  uniqueName,
  waitFor,
  waitUntilWebhookActive,
  type KubeStatus,
} from './cluster/index.js';
import { assertAllStoredInjected } from './helpers.js';
import { CHART_DIR, ensureHelm, Helm } from './helm-render.js';
import { applyNodePipeline, isReady, kubectl, statusOf, waitForLogText, waitForRunningPod, type RunningPod } from './node-helpers.js';

const RELEASE = 'feldera-sidecar-injector';
const NAMESPACE = 'feldera-sidecar-injector';
const SELECTOR = `app.kubernetes.io/name=feldera-sidecar-injector,app.kubernetes.io/instance=${RELEASE}`;
const CONCURRENCY = 4;
const MAX_CREATES = 3000;

const image = await ensureWebhookImage((line) => t.comment(line));
t.comment(`webhook image ${image.name}: scripts/webhook-image.sh took ${(image.buildMs / 1000).toFixed(1)} s`);
const cp = await startControlPlane({ nodes: 2 });
t.comment(`cluster with 2 nodes ready in ${cp.startupMs} ms (nodes Ready ${cp.nodes?.startupMs ?? '?'} ms after their start)`);
const importStarted = Date.now();
cp.nodes?.importImage(image.file);
t.comment(`image imported into both nodes' containerd in ${Date.now() - importStarted} ms`);
const helm = new Helm(await ensureHelm(), join(cp.dir, 'helm-home'));

t.teardown(async () => {
  if (!t.passing()) {
    const pods = await kubectl(cp, ['get', 'pods', '-A', '-o', 'wide']).catch((e: unknown) => ({ stdout: String(e) }));
    process.stderr.write(`${pods.stdout}\n${cp.logTails(40)}\n`);
  }
  await cp.stop();
});

async function webhookPods(): Promise<RunningPod[]> {
  const res = await cp.rest.get<{ items: RunningPod[] }>(`/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(SELECTOR)}`);
  return res.body.items;
}

const apiserverPort = new URL(cp.server).port;
t.test('helm install: two replicas from the image, probes passing under the kubelet', async (t) => {
  const installed = await helm.run([
    'install', RELEASE, CHART_DIR, '--kubeconfig', cp.kubeconfigPath, '--namespace', NAMESPACE, '--create-namespace',
    '--set', `image.repository=${image.repository}`, '--set', `image.tag=${image.tag}`, '--set', 'image.pullPolicy=Never',
    '--set', 'replicaCount=2', '--set', 'hostNetwork=true',
    // One replica per node (ports): roll one at a time, no surge.
    '--set', 'updateStrategy.rollingUpdate.maxSurge=0', '--set', 'updateStrategy.rollingUpdate.maxUnavailable=1',
    '--set', 'injection.scope=namespace', '--set', 'server.drainSeconds=5', '--set', 'terminationGracePeriodSeconds=20',
    // On a loopback node the in-cluster apiserver address (a ClusterIP: no kube-proxy here, and never
    // dialled from the host) is replaced by the apiserver's loopback one for the certificate controller.
    '--set', 'extraEnv[0].name=KUBERNETES_SERVICE_HOST', '--set', 'extraEnv[0].value=127.0.0.1',
    '--set', 'extraEnv[1].name=KUBERNETES_SERVICE_PORT', '--set-string', `extraEnv[1].value=${apiserverPort}`,
  ]);
  t.equal(installed.code, 0, `helm install: ${installed.stderr.trim().slice(0, 300)}`);
  const started = Date.now();
  const pods = await waitFor(
    'two webhook replicas Ready',
    async () => {
      const items = await webhookPods();
      return items.length === 2 && items.every((p) => isReady(p)) ? items : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  t.comment(`both replicas Ready ${Date.now() - started} ms after helm install`);
  t.strictSame(new Set(pods.map((p) => p.spec.nodeName)).size, 2, 'one replica on each node');
  for (const pod of pods) {
    const status = statusOf(pod, 'webhook');
    t.strictSame([status?.ready, status?.started, status?.restartCount], [true, true, 0], `${pod.metadata.name}: started, ready (startup, liveness and readiness probes pass), no restart`);
    t.equal(pod.status?.podIP, pod.spec.nodeName, `${pod.metadata.name}: on the node's network (${pod.status?.podIP ?? '?'})`);
  }
  const first = pods[0] as RunningPod;
  const { stdout } = await kubectl(cp, ['exec', '-n', NAMESPACE, first.metadata.name, '-c', 'webhook', '--', 'sh', '-c', 'grep -E "^(Uid|Gid):" /proc/1/status; touch /written 2>&1 || true; cat /proc/1/cmdline | tr "\\0" " "']);
  t.match(stdout, /^Uid:\s+65532\s+65532\s+65532\s+65532\nGid:\s+65532\s+65532\s+65532\s+65532\n/, 'the webhook process runs as 65532:65532');
  t.match(stdout, /Read-only file system/, 'its root filesystem is read-only');
  t.match(stdout, /node dist\/src\/main\.js serve --config/, "the image's entrypoint with the chart's arguments");
  await waitUntilWebhookActive(cp.kc, 'sidecar-probe', 60_000);
});

t.test('pipeline pods are injected by the in-cluster webhook', async (t) => {
  const ns = uniqueName('incluster');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = await applyNodePipeline(cp, { namespace: ns, image: SHELL_IMAGE, initContainers: [{ ...seedSidecar(), image: SHELL_IMAGE }] });
  const pod = await waitForRunningPod(cp, ns, sts.podName);
  t.strictSame((pod.spec.initContainers ?? []).map((c) => [c.name, c.restartPolicy]), [['example', 'Always']], 'the sidecar injected');
  t.ok(pod.metadata.annotations?.[STATUS_ANNOTATION], 'status annotation');
  t.strictSame(await waitForLogText(cp, ns, sts.podName, 'example', 'Hello, world!'), 'Hello, world!\n', 'and it runs');
  const routed = (cp.clusterNetwork?.routes ?? []).filter((r) => r.service === `${NAMESPACE}/${RELEASE}` && r.backend !== null);
  t.ok(routed.length > 0, `the apiserver reached the webhook through its Service (${routed.length} connections, to ${[...new Set(routed.map((r) => r.pod))].join(', ')})`);
});

t.test('kubectl rollout restart during a stream of pipeline pod creations fails none', async (t) => {
  const ns = uniqueName('rollout');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const before = (await webhookPods()).map((p) => p.metadata.name).sort();
  const results: Array<{ name: string; status: number; message: string }> = [];
  let next = 0;
  let stopping = false;
  const create = async (): Promise<void> => {
    const name = `roll-${String(next++).padStart(5, '0')}`;
    // Gated: admitted and stored like any pipeline pod, but never scheduled (hundreds of them).
    const pod = pipelinePod({ namespace: ns, name }) as { spec: Record<string, unknown> };
    pod.spec.schedulingGates = [{ name: 'feldera-e2e/stored-only' }];
    try {
      const res = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${ns}/pods`, pod);
      results.push({ name, status: res.status, message: res.status === 201 ? '' : (res.body.message ?? res.text) });
    } catch (error) {
      results.push({ name, status: 0, message: error instanceof Error ? error.message : String(error) });
      await sleep(50);
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stopping && next < MAX_CREATES) await create();
  });
  const loadStart = Date.now();
  let rolloutMs = 0;
  try {
    await sleep(2000);
    const rolloutStart = Date.now();
    await kubectl(cp, ['rollout', 'restart', `deployment/${RELEASE}`, '-n', NAMESPACE]);
    await kubectl(cp, ['rollout', 'status', `deployment/${RELEASE}`, '-n', NAMESPACE, '--timeout=240s']);
    rolloutMs = Date.now() - rolloutStart;
    await sleep(2000);
  } finally {
    stopping = true;
    await Promise.all(workers);
  }
  const after = await waitFor(
    'the restarted replicas Ready',
    async () => {
      const items = await webhookPods();
      return items.length === 2 && items.every((p) => isReady(p) && p.metadata.name !== undefined) ? items.map((p) => p.metadata.name).sort() : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const failed = results.filter((r) => r.status !== 201);
  t.strictSame(failed.map((r) => `${r.name}: ${r.status} ${r.message}`), [], `all ${results.length} pod creates during the rollout succeeded`);
  t.ok(results.length >= 50, `a stream of creates across the rollout (${results.length} in ${((Date.now() - loadStart) / 1000).toFixed(1)} s, rollout ${(rolloutMs / 1000).toFixed(1)} s)`);
  t.strictSame(after.filter((name) => before.includes(name)), [], `both replicas were replaced (${before.join(', ')} -> ${after.join(', ')})`);
  await assertAllStoredInjected(t, cp, ns, results.length);
  const servedBy = new Map<string, number>();
  for (const r of cp.clusterNetwork?.routes ?? []) {
    if (r.service === `${NAMESPACE}/${RELEASE}` && r.pod !== undefined && r.at >= loadStart) servedBy.set(r.pod, (servedBy.get(r.pod) ?? 0) + 1);
  }
  t.ok([...servedBy.keys()].some((p) => before.includes(p)) && [...servedBy.keys()].some((p) => after.includes(p)), `connections went to old and new replicas: ${JSON.stringify(Object.fromEntries(servedBy))}`);
});

t.test('teardown leaves the machine as it was found', async (t) => {
  await cp.stop();
  const diff = cp.machineDiff();
  t.strictSame(diff?.added, { mounts: [], iptables: [], cgroups: [], sysctls: [], paths: [] }, 'nothing added');
  t.strictSame(diff?.removed, { mounts: [], iptables: [], cgroups: [], sysctls: [], paths: [] }, 'nothing removed');
});
