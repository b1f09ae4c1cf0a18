// explain --live: the same ClusterContext the server's caches give, built from the objects it
// fetched once (the namespace, and the pipeline's ConfigMap when the config source reads it).
import { fixedContext, type ClusterContext, type NamespacePolicyLookup } from '../cluster/context.js';
import { namespacePolicyOf, type NamespaceLike } from '../cluster/namespace-lookup.js';

export interface FetchedConfigMap {
  namespace: string;
  name: string;
  data: Readonly<Record<string, string>>;
}

export function liveContext(namespace: string, namespaceObject: NamespaceLike | null, configMaps: readonly FetchedConfigMap[]): ClusterContext {
  const policies = new Map<string, NamespacePolicyLookup>();
  if (namespaceObject !== null) policies.set(namespace, namespacePolicyOf(namespaceObject));
  return fixedContext(policies, new Map(configMaps.map((c) => [`${c.namespace}/${c.name}`, c.data])));
}
