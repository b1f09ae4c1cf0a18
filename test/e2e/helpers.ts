// Shared by the e2e test files: reading what the apiserver stored, and the assertions on an
// injected pipeline pod that every case repeats.
import type { Test } from 'tap';
import { STATUS_ANNOTATION, tail, waitFor, type ControlPlane, type KubeStatus, type Webhook } from './cluster/index.js';

export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  command?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  imagePullPolicy?: string;
  terminationMessagePolicy?: string;
  terminationMessagePath?: string;
  [key: string]: unknown;
}

export interface Pod {
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }>;
  };
  spec: { containers: Container[]; initContainers?: Container[]; [key: string]: unknown };
}

export interface KubeEvent {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject: { kind?: string; name?: string };
}

export const DEFAULT_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
export const EXAMPLE_RESOURCES = { requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '512Mi', cpu: '500m' } };

export async function getPod(cp: ControlPlane, namespace: string, name: string): Promise<{ status: number; pod: Pod | null }> {
  const res = await cp.rest.get<Pod>(`/api/v1/namespaces/${namespace}/pods/${name}`);
  return { status: res.status, pod: res.status === 200 ? res.body : null };
}

export async function waitForPod(cp: ControlPlane, namespace: string, name: string, timeoutMs = 60_000): Promise<Pod> {
  return waitFor(
    `pod ${namespace}/${name}`,
    async () => {
      const { pod } = await getPod(cp, namespace, name);
      return pod ?? undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export async function listPods(cp: ControlPlane, namespace: string): Promise<Pod[]> {
  const res = await cp.rest.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods`);
  if (res.status !== 200) throw new Error(`list pods in ${namespace}: HTTP ${res.status} ${res.text}`);
  return res.body.items;
}

export async function createStatefulSet(cp: ControlPlane, namespace: string, object: unknown): Promise<void> {
  const res = await cp.rest.post<KubeStatus>(`/apis/apps/v1/namespaces/${namespace}/statefulsets`, object);
  if (res.status !== 201) throw new Error(`create StatefulSet in ${namespace}: HTTP ${res.status} ${res.text}`);
}

export async function deleteStatefulSet(cp: ControlPlane, namespace: string, name: string): Promise<void> {
  const res = await cp.rest.delete(`/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}`);
  if (res.status !== 200 && res.status !== 202) throw new Error(`delete StatefulSet ${namespace}/${name}: HTTP ${res.status} ${res.text}`);
}

/** Core v1 Events about one object (the StatefulSet controller records FailedCreate there). */
export async function eventsFor(cp: ControlPlane, namespace: string, name: string): Promise<KubeEvent[]> {
  const selector = encodeURIComponent(`involvedObject.name=${name}`);
  const res = await cp.rest.get<{ items: KubeEvent[] }>(`/api/v1/namespaces/${namespace}/events?fieldSelector=${selector}`);
  if (res.status !== 200) throw new Error(`list events in ${namespace}: HTTP ${res.status} ${res.text}`);
  return res.body.items;
}

export async function waitForEvent(
  cp: ControlPlane,
  namespace: string,
  name: string,
  predicate: (event: KubeEvent) => boolean,
  timeoutMs = 30_000,
): Promise<KubeEvent> {
  return waitFor(
    `an event on ${namespace}/${name}`,
    async () => (await eventsFor(cp, namespace, name)).find(predicate),
    { timeoutMs, intervalMs: 250 },
  );
}

export function envNames(container: Container | undefined): string[] {
  return (container?.env ?? []).map((e) => e.name);
}

/** The assertions every injected example pipeline pod must pass. */
export function assertExampleInjected(t: Test, pod: Pod, pipelineId: string | null): void {
  const init = pod.spec.initContainers ?? [];
  t.same(
    init.map((c) => c.name),
    ['example', 'ingest-sidecar'],
    'both declared sidecars are stored as init containers, in declared order',
  );
  for (const sidecar of init) t.equal(sidecar.restartPolicy, 'Always', `${sidecar.name}: restartPolicy Always (native sidecar)`);
  const [example, ingest] = init;
  t.same(example?.resources, EXAMPLE_RESOURCES, 'example: its declared resources are kept');
  t.same(example?.command, ['bash', '-c', "echo 'Hello, world!'; sleep infinity"], 'example: command kept');
  t.equal(example?.image, 'ubuntu:24.04');
  t.same(ingest?.resources, DEFAULT_RESOURCES, 'ingest-sidecar: resource defaults filled (requests 250m/256Mi, limits 500m/512Mi)');
  t.equal(ingest?.image, 'registry.example.com/ingest-sidecar:1.0');
  for (const sidecar of init) {
    const names = envNames(sidecar);
    for (const name of ['FELDERA_PIPELINE_POD_NAME', 'FELDERA_PIPELINE_NAMESPACE', 'FELDERA_PIPELINE_URL']) {
      t.ok(names.includes(name), `${sidecar.name}: env ${name}`);
    }
    if (pipelineId !== null) {
      t.same(sidecar.env?.find((e) => e.name === 'FELDERA_PIPELINE_ID'), { name: 'FELDERA_PIPELINE_ID', value: pipelineId }, `${sidecar.name}: FELDERA_PIPELINE_ID`);
    }
  }
  t.same(ingest?.env?.find((e) => e.name === 'TABLE'), { name: 'TABLE', value: 'events' }, "ingest-sidecar: the user's own env kept");
  t.same(
    pod.spec.containers.map((c) => c.name),
    ['pipeline'],
    'the pipeline container is untouched',
  );
  const status = pod.metadata.annotations?.[STATUS_ANNOTATION];
  t.ok(status, `${STATUS_ANNOTATION} annotation stored`);
  if (status !== undefined) {
    t.match(
      JSON.parse(status),
      { version: 2, sidecars: [{ name: 'example', hash: /^sha256:[0-9a-f]{16}$/ }, { name: 'ingest-sidecar', hash: /^sha256:[0-9a-f]{16}$/ }] },
      'status annotation names the injected sidecars, each with its hash',
    );
  }
}

/** After a load run: exactly `created` pods stored in the namespace, every one with both sidecars. */
export async function assertAllStoredInjected(t: Test, cp: ControlPlane, namespace: string, created: number): Promise<Pod[]> {
  const pods = await listPods(cp, namespace);
  t.equal(pods.length, created, 'every created pod is stored');
  const uninjected = pods.filter((p) => p.metadata.annotations?.[STATUS_ANNOTATION] === undefined || (p.spec.initContainers ?? []).length !== 2);
  t.same(
    uninjected.map((p) => p.metadata.name),
    [],
    'every stored pod is injected',
  );
  return pods;
}

export function assertNotInjected(t: Test, pod: Pod): void {
  t.equal(pod.spec.initContainers, undefined, 'no init containers');
  t.equal(pod.metadata.annotations?.[STATUS_ANNOTATION], undefined, 'no status annotation');
}

/** The tail of every component's log and of the webhooks' logs (printed when a test failed). */
export function logReport(cp: ControlPlane, webhooks: Webhook[]): string {
  const parts = [`[e2e] component logs (temp dir ${cp.dir}; set E2E_KEEP_DIR=1 to keep it)`, cp.logTails(60)];
  for (const webhook of webhooks) parts.push(`----- webhook (${webhook.logFile}) -----\n${tail(webhook.logFile, 60)}`);
  return parts.join('\n');
}
