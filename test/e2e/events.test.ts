// Events on the pipeline's StatefulSet through a real kube-apiserver and kube-controller-manager:
// SidecarsInjected for an injected pod, SidecarInjectionDenied for a refused one (its series count
// growing while the StatefulSet controller retries), none for a dry run. The webhook writes them as
// a user holding exactly the chart's events ClusterRole (create and patch on events.k8s.io events).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule, type V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import {
  createNamespace,
  issueClientCertificateFor,
  kubeBinDir,
  newAuthority,
  OPT_IN,
  pipelinePod,
  pipelineStatefulSet,
  registerWebhook,
  startControlPlane,
  startWebhook,
  uniqueName,
  waitFor,
  type ControlPlane,
  type Webhook,
} from './cluster/index.js';
import { writeClientKubeconfig } from './cluster/kubeconfig.js';
import { writePem } from './cluster/pki.js';
import { chartTemplateRules } from './helm-render.js';
import { createStatefulSet, logReport, waitForPod } from './helpers.js';

interface EventsV1 {
  metadata: { name: string; namespace: string };
  regarding: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string };
  reason: string;
  type: string;
  action: string;
  note: string;
  reportingController: string;
  reportingInstance: string;
  series?: { count: number; lastObservedTime: string };
}

const cp = await startControlPlane();
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhooks: Webhook[] = [];
t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});


/** A kubeconfig for a user bound to exactly the chart's events ClusterRole. */
async function eventsUserKubeconfig(cp: ControlPlane): Promise<{ kubeconfig: string; rules: V1PolicyRule[] }> {
  const user = 'feldera-sidecar-injector-events';
  const dir = mkdtempSync(join(tmpdir(), 'feldera-e2e-events-'));
  const pem = writePem(dir, 'user', issueClientCertificateFor({ cert: cp.pki.ca.cert, key: cp.pki.ca.key }, user));
  const kubeconfig = writeClientKubeconfig(join(dir, 'user.kubeconfig'), { server: cp.server, caFile: cp.pki.ca.certFile, certFile: pem.certFile, keyFile: pem.keyFile, user });
  const rbac = cp.kc.makeApiClient(RbacAuthorizationV1Api);
  const rules = chartTemplateRules<V1PolicyRule>('rbac-events.yaml');
  await rbac.createClusterRole({ body: { metadata: { name: user }, rules } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: user },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    },
  });
  return { kubeconfig, rules };
}

const { kubeconfig, rules } = await eventsUserKubeconfig(cp);
const startEventsWebhook = async (set: Record<string, string | boolean> = {}): Promise<Webhook> => {
  const w = await startWebhook({ port: cp.webhookPort, ca, set: { 'events.mode': 'on', ...set }, env: { KUBECONFIG: kubeconfig } });
  webhooks.push(w);
  return w;
};
let webhook = await startEventsWebhook();
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });

async function eventsIn(namespace: string): Promise<EventsV1[]> {
  const res = await cp.rest.get<{ items: EventsV1[] }>(`/apis/events.k8s.io/v1/namespaces/${namespace}/events`);
  if (res.status !== 200) throw new Error(`list events.k8s.io events in ${namespace}: HTTP ${res.status} ${res.text}`);
  return res.body.items;
}

async function ours(namespace: string, predicate: (e: EventsV1) => boolean, what: string, timeoutMs = 30_000): Promise<EventsV1> {
  return waitFor(what, async () => (await eventsIn(namespace)).find((e) => e.reportingController === 'sidecar.feldera.com/injector' && predicate(e)), {
    timeoutMs,
    intervalMs: 250,
  });
}

async function statefulSetUid(namespace: string, name: string): Promise<string> {
  const res = await cp.rest.get<{ metadata: { uid: string } }>(`/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}`);
  return res.body.metadata.uid;
}

/** What an operator runs; printed into the test output (the README's sample is from here). */
function kubectlGetEvents(namespace: string): string {
  const kubectl = (...args: string[]): string => {
    const res = spawnSync(join(kubeBinDir(), 'kubectl'), ['--kubeconfig', cp.kubeconfigPath, ...args, '-n', namespace], { encoding: 'utf8' });
    return `$ kubectl ${args.join(' ')} -n ${namespace}\n${res.stdout}${res.stderr}`;
  };
  // `kubectl events` shows an Event's series as "(xN over T)".
  return `${kubectl('get', 'events')}\n${kubectl('events', '--types=Warning,Normal')}`;
}

t.test('the webhook posts with exactly create and patch on events.k8s.io events', async (t) => {
  t.strictSame(rules, [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }]);
});

t.test('SidecarsInjected (Normal) on the StatefulSet of an injected pipeline pod', async (t) => {
  const ns = uniqueName('events-injected');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = pipelineStatefulSet(ns);
  await createStatefulSet(cp, ns, sts.object);
  await waitForPod(cp, ns, sts.podName);
  const event = await ours(ns, (e) => e.reason === 'SidecarsInjected', `SidecarsInjected in ${ns}`);
  t.strictSame(
    { type: event.type, action: event.action, regarding: event.regarding, reportingInstance: event.reportingInstance },
    {
      type: 'Normal',
      action: 'Inject',
      regarding: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.name, namespace: ns, uid: await statefulSetUid(ns, sts.name) },
      reportingInstance: sts.podName,
    },
  );
  t.strictSame(event.note, `pod ${sts.podName}: injected sidecars example, ingest-sidecar`);
  await webhook.waitForLog('the reinvocation', (l) => l.msg === 'admission' && l.namespace === ns && l.decision === 'unchanged');
  t.strictSame((await eventsIn(ns)).filter((e) => e.reason === 'SidecarsInjected').length, 1, 'reinvocations (unchanged) post nothing more');
  t.comment(kubectlGetEvents(ns));
});

t.test('SidecarInjectionDenied (Warning), one Event whose series grows while the controller retries', async (t) => {
  await webhook.stop();
  const strict = await startEventsWebhook({ 'pipeline.allowInitContainers': false });
  try {
    const ns = uniqueName('events-denied');
    await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
    const sts = pipelineStatefulSet(ns);
    await createStatefulSet(cp, ns, sts.object);
    const first = await ours(ns, (e) => e.reason === 'SidecarInjectionDenied', `SidecarInjectionDenied in ${ns}`);
    t.strictSame({ type: first.type, action: first.action, kind: first.regarding.kind, name: first.regarding.name }, {
      type: 'Warning',
      action: 'Deny',
      kind: 'StatefulSet',
      name: sts.name,
    });
    t.match(first.note, `pod ${sts.podName} refused: this pipeline declares 2 init_containers`);
    t.match(first.note, 'pipeline.allowInitContainers: false', 'the denial message, in the user\'s words');
    const repeated = await ours(ns, (e) => e.reason === 'SidecarInjectionDenied' && (e.series?.count ?? 0) > 2, 'a series count above 2', 60_000);
    t.strictSame(repeated.metadata.name, first.metadata.name, 'the same Event, patched');
    t.ok((repeated.series?.count ?? 0) > 2, `series.count ${repeated.series?.count}`);
    t.ok(Date.parse(repeated.series?.lastObservedTime ?? '') > 0, 'series.lastObservedTime set');
    const denials = (await eventsIn(ns)).filter((e) => e.reason === 'SidecarInjectionDenied');
    t.strictSame(denials.length, 1, 'no flood: one Event for all the retries');
    const admissions = strict.admissions().filter((l) => l.namespace === ns && l.decision === 'denied').length;
    t.ok(admissions >= (repeated.series?.count ?? 0), `${admissions} denied admissions, one Event`);
    t.comment(kubectlGetEvents(ns));
  } finally {
    await strict.stop();
    await webhook.start();
  }
});

t.test('a dry run posts nothing (sideEffects NoneOnDryRun); the same pod for real does', async (t) => {
  const ns = uniqueName('events-dry-run');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const sts = pipelineStatefulSet(ns);
  // No pods of its own: the test creates them, owned by it.
  (sts.object.spec as { replicas: number }).replicas = 0;
  await createStatefulSet(cp, ns, sts.object);
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.name, uid: await statefulSetUid(ns, sts.name), controller: true };
  const core = cp.kc.makeApiClient(CoreV1Api);
  const podNamed = (name: string): V1Pod => {
    const pod = pipelinePod({ namespace: ns, name, id: sts.id }) as V1Pod;
    pod.metadata = { ...pod.metadata, ownerReferences: [owner] };
    return pod;
  };
  const dry = await core.createNamespacedPod({ namespace: ns, body: podNamed('dry-run-pod'), dryRun: 'All' });
  t.ok((dry.spec?.initContainers ?? []).length === 2, 'the dry run was injected');
  await webhook.waitForLog('the dry-run admission', (l) => l.msg === 'admission' && l.namespace === ns && l.pod === 'dry-run-pod' && l.dryRun === true);
  await core.createNamespacedPod({ namespace: ns, body: podNamed('real-pod') });
  // The queue is written in order: once the real pod's Event is there, a dry-run one would be too.
  await ours(ns, (e) => e.reportingInstance === 'real-pod', 'the real pod\'s Event');
  const events = await eventsIn(ns);
  t.strictSame(events.filter((e) => e.reportingInstance === 'dry-run-pod' || e.note.includes('dry-run-pod')), [], 'no Event for the dry run');
  t.strictSame(events.filter((e) => e.reportingInstance === 'real-pod').map((e) => e.reason), ['SidecarsInjected']);
});

t.test('events_total on the metrics port counts what was written', async (t) => {
  const res = await fetch(`http://127.0.0.1:${webhook.metricsPort}/metrics`);
  const text = await res.text();
  const created = Number(/feldera_sidecar_injector_events_total\{result="created"\} (\d+)/.exec(text)?.[1]);
  t.ok(created >= 1, `created ${created}`);
  t.match(text, 'feldera_sidecar_injector_events_total{result="failed"} 0', 'nothing failed');
});
