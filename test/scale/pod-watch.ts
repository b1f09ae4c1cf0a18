// When each pod of a namespace appeared, from a watch (a poll of 500 pods would load the
// apiserver it measures).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../e2e/cluster/index.js';

export interface PodWatch {
  /** Pod name -> Date.now() when the watch delivered its ADDED event. */
  readonly added: Map<string, number>;
  waitForCount(count: number, timeoutMs: number): Promise<void>;
  stop(): void;
}

export async function watchPods(kc: KubeConfig, namespace: string): Promise<PodWatch> {
  const added = new Map<string, number>();
  let failure: string | null = null;
  const controller = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (phase: string, object: { metadata?: { name?: string } }) => {
      const name = object.metadata?.name;
      if (phase === 'ADDED' && name !== undefined && !added.has(name)) added.set(name, Date.now());
    },
    (error: unknown) => {
      if (error !== null && error !== undefined && !(error instanceof Error && error.name === 'AbortError')) failure = String(error);
    },
  );
  return {
    added,
    waitForCount: (count, timeoutMs) =>
      waitFor(`${count} pods in namespace ${namespace} (watch)`, () => (added.size >= count ? true : undefined), {
        timeoutMs,
        intervalMs: 50,
        abort: () => (failure === null ? null : `the pod watch ended: ${failure}`),
      }).then(() => undefined),
    stop: () => controller.abort(),
  };
}
