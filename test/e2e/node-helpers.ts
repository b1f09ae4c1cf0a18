// Shared by the e2e files that run pods on a real node: pod status, container logs through the
// apiserver (kubelet behind it), and applying the runnable pipeline StatefulSet.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nodePipelineStatefulSet, waitFor, type ControlPlane, type NodePipelineOptions } from './cluster/index.js';
import type { Container } from './helpers.js';

export interface ContainerStatus {
  name: string;
  containerID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount: number;
  state?: { running?: { startedAt: string }; waiting?: { reason?: string }; terminated?: { exitCode: number; reason?: string } };
  lastState?: { terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface RunningPod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string; containers: Container[]; initContainers?: Container[] };
  status?: {
    phase?: string;
    qosClass?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

export async function getRunningPod(cp: ControlPlane, namespace: string, name: string): Promise<RunningPod | null> {
  const res = await cp.rest.get<RunningPod>(`/api/v1/namespaces/${namespace}/pods/${name}`);
  return res.status === 200 ? res.body : null;
}

export function isReady(pod: RunningPod | null): boolean {
  return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

export function statusOf(pod: RunningPod, name: string): ContainerStatus | undefined {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((c) => c.name === name);
}

/** Waits until `predicate` holds for the pod (default: Running and Ready). */
export async function waitForRunningPod(
  cp: ControlPlane,
  namespace: string,
  name: string,
  predicate: (pod: RunningPod) => boolean = (pod) => pod.status?.phase === 'Running' && isReady(pod),
  timeoutMs = 90_000,
): Promise<RunningPod> {
  return waitFor(
    `pod ${namespace}/${name}`,
    async () => {
      const pod = await getRunningPod(cp, namespace, name);
      if (pod === null) throw new Error('not created yet');
      if (predicate(pod)) return pod;
      const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
        .map((c) => `${c.name}:${c.state?.waiting?.reason ?? (c.state?.running ? 'running' : c.state?.terminated ? `exited ${c.state.terminated.exitCode}` : '?')}`)
        .join(' ');
      throw new Error(`phase ${pod.status?.phase ?? '?'} ${waiting}`);
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** GET .../pods/NAME/log?container=C (the apiserver asks the kubelet). */
export async function containerLog(cp: ControlPlane, namespace: string, pod: string, container: string, previous = false): Promise<string> {
  const res = await cp.rest.request('GET', `/api/v1/namespaces/${namespace}/pods/${pod}/log?container=${container}${previous ? '&previous=true' : ''}`);
  if (res.status !== 200) throw new Error(`logs of ${namespace}/${pod} -c ${container}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.text;
}

/** Waits until the container's log contains `text`; returns the whole log. */
export async function waitForLogText(cp: ControlPlane, namespace: string, pod: string, container: string, text: string, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    `"${text}" in the log of ${namespace}/${pod} -c ${container}`,
    async () => {
      const log = await containerLog(cp, namespace, pod, container);
      return log.includes(text) ? log : undefined;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

/** Applies the runnable pipeline StatefulSet (and its ConfigMap); returns it. */
export async function applyNodePipeline(cp: ControlPlane, options: NodePipelineOptions): Promise<ReturnType<typeof nodePipelineStatefulSet>> {
  const sts = nodePipelineStatefulSet(options);
  for (const [path, body] of [
    [`/api/v1/namespaces/${options.namespace}/configmaps`, sts.configMap],
    [`/apis/apps/v1/namespaces/${options.namespace}/statefulsets`, sts.object],
  ] as const) {
    const res = await cp.rest.post(path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: HTTP ${res.status} ${res.text}`);
  }
  return sts;
}

/** kubectl against the cluster (asynchronously: the apiserver reaches kubelets through this process). */
export async function kubectl(cp: ControlPlane, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const bin = cp.nodeBinaries?.kubectl;
  if (bin === undefined) throw new Error('kubectl comes with a control plane started with nodes');
  return promisify(execFile)(bin, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, timeout: 60_000 });
}
