// The two ways the scale test makes pods, as fast as the control plane takes them:
//   statefulSetBurst: pipeline StatefulSets (podManagementPolicy Parallel) posted at once, the
//     StatefulSet controller creating their pods (and PVCs), as in a real cluster;
//   directBurst: pipeline pods POSTed by the test itself, `concurrency` at a time over keep-alive
//     connections: the apiserver's admission path without the controller's client rate limit.
import { Agent, request } from 'node:https';
import { pipelinePod, pipelineStatefulSet, type ControlPlane } from '../e2e/cluster/index.js';
import { watchPods } from './pod-watch.js';

export interface BurstResult {
  pods: number;
  /** From the first create call to the last pod seen. */
  elapsedMs: number;
  podsPerSecond: number;
  /** From the first create call to the first pod seen. */
  firstPodMs: number;
  /** Create calls the apiserver refused (direct burst; the controller retries its own). */
  refused: Array<{ status: number; message: string }>;
}

export async function statefulSetBurst(
  cp: ControlPlane,
  namespace: string,
  shape: { statefulSets: number; replicas: number },
  timeoutMs: number,
): Promise<BurstResult> {
  const total = shape.statefulSets * shape.replicas;
  const watch = await watchPods(cp.kc, namespace);
  try {
    const objects = Array.from({ length: shape.statefulSets }, () => {
      const sts = pipelineStatefulSet(namespace).object as { spec: Record<string, unknown> };
      sts.spec.replicas = shape.replicas;
      sts.spec.podManagementPolicy = 'Parallel';
      return sts;
    });
    const started = Date.now();
    const refused: BurstResult['refused'] = [];
    await Promise.all(
      objects.map(async (object) => {
        const res = await cp.rest.post<{ message?: string }>(`/apis/apps/v1/namespaces/${namespace}/statefulsets`, object);
        if (res.status !== 201) refused.push({ status: res.status, message: res.body.message ?? res.text.slice(0, 200) });
      }),
    );
    if (refused.length > 0) throw new Error(`StatefulSet creates refused: ${JSON.stringify(refused.slice(0, 3))}`);
    await watch.waitForCount(total, timeoutMs);
    const times = [...watch.added.values()];
    const last = Math.max(...times);
    return { pods: total, elapsedMs: last - started, podsPerSecond: total / ((last - started) / 1000), firstPodMs: Math.min(...times) - started, refused };
  } finally {
    watch.stop();
  }
}

function postPod(agent: Agent, cp: ControlPlane, namespace: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cp.server}/api/v1/namespaces/${namespace}/pods`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json' }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('pod create timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function directBurst(cp: ControlPlane, namespace: string, pods: number, concurrency: number, timeoutMs: number): Promise<BurstResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: cp.pki.ca.cert, cert: cp.pki.admin.cert, key: cp.pki.admin.key });
  const bodies = Array.from({ length: pods }, (_, i) => JSON.stringify(pipelinePod({ namespace, name: `direct-${String(i).padStart(5, '0')}` })));
  const watch = await watchPods(cp.kc, namespace);
  const refused: BurstResult['refused'] = [];
  try {
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as string;
          const res = await postPod(agent, cp, namespace, body);
          if (res.status !== 201) refused.push({ status: res.status, message: res.text.slice(0, 300) });
        }
      }),
    );
    await watch.waitForCount(pods - refused.length, timeoutMs);
    const times = [...watch.added.values()];
    const last = Math.max(...times);
    return { pods, elapsedMs: last - started, podsPerSecond: times.length / ((last - started) / 1000), firstPodMs: Math.min(...times) - started, refused };
  } finally {
    watch.stop();
    agent.destroy();
  }
}
