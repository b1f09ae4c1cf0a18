// What decide() may know about the cluster, as plain lookups over values already in memory: the
// namespace's policy annotation (read and checked when the namespace was seen, not per admission)
// and Feldera's pipeline ConfigMaps. The informer caches (informers.ts) implement it for the
// server, `explain --live` from objects it fetched once, and NO_CLUSTER for everything offline.
// Nothing here does I/O, so decide() stays a pure function of (review, config, context).
import type { NamespacePolicy } from '../policy/namespace-policy.js';

export type NamespacePolicyLookup =
  | { state: 'none' }
  | { state: 'policy'; policy: NamespacePolicy }
  | { state: 'invalid'; message: string }
  /** The cache has not synced yet (readiness is false then): the policy is not known. */
  | { state: 'unknown' };

export type ConfigMapLookup =
  | { state: 'found'; data: Readonly<Record<string, string>> }
  | { state: 'absent' }
  /** The cache has not synced, or there is no cluster to ask: `why` says which, for the warning. */
  | { state: 'unknown'; why: string };

export interface ClusterContext {
  namespacePolicy(namespace: string): NamespacePolicyLookup;
  configMap(namespace: string, name: string): ConfigMapLookup;
}

const NONE: NamespacePolicyLookup = { state: 'none' };
const NO_CLUSTER_MAP: ConfigMapLookup = { state: 'unknown', why: 'no cluster to read it from (offline)' };

/** Offline callers (inject, explain -f, tests, bench, fuzz): no namespace policy, no ConfigMaps. */
export const NO_CLUSTER: ClusterContext = {
  namespacePolicy: () => NONE,
  configMap: () => NO_CLUSTER_MAP,
};

/** A context over objects already fetched (explain --live, tests): namespace -> lookup, "ns/name" -> data. */
export function fixedContext(namespaces: ReadonlyMap<string, NamespacePolicyLookup>, configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>): ClusterContext {
  return {
    namespacePolicy: (namespace) => namespaces.get(namespace) ?? NONE,
    configMap: (namespace, name) => {
      const data = configMaps.get(`${namespace}/${name}`);
      return data === undefined ? { state: 'absent' } : { state: 'found', data };
    },
  };
}
