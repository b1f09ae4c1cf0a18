// Whether a configuration reads anything from the cluster (and so needs the informer caches and a
// kubeconfig). Kept apart from informers.ts: @kubernetes/client-node takes ~2 s to load, which a
// webhook that reads only pod annotations never needs.
import type { Config } from '../config/config.js';

export function needsCluster(config: Config): boolean {
  return config.namespacePolicy.enabled || config.pipeline.configSource !== 'annotation';
}
