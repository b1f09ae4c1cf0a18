// The server's view of the cluster: informer caches (client-node ListWatch, as makeInformer builds: list once, then watch) of namespaces (for
// their policy annotation) and, when pipeline.configSource reads them, of ConfigMaps. Admissions
// read these caches only (ClusterContext); nothing on the admission path calls the API. Until
// every cache has listed once, synced() is false and so is readiness.
//
// Namespaces are watched cluster-wide: they are few and small, and the webhook's namespaceSelector
// (with its exclusions) decides which ones are served, not this cache. ConfigMaps are watched in
// the namespaces of pipeline.configMap.namespaces, one informer each (the chart grants a Role in
// each, nothing cluster-wide); with the list empty, cluster-wide (a ClusterRole), because with
// injection.scope=namespace the served namespaces are whichever get the label later. README
// "Where the runtime config comes from" states the cost of each.
import { CoreV1Api, KubeConfig, ListWatch, Watch, type KubernetesObject, type V1ConfigMap, type V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { fail, injectorError, ok, type Result } from '../errors.js';
import type { ClusterContext, ConfigMapLookup, NamespacePolicyLookup } from './context.js';
import { notListed } from './config-map-scope.js';
import { namespacePolicyOf } from './namespace-lookup.js';

/** After a watch or list fails, how long before the informer lists and watches again. */
const RESTART_MS = 2000;

export interface ClusterCaches {
  context: ClusterContext;
  synced(): boolean;
  stop(): Promise<void>;
}

/** KubeConfig from cluster.kubeconfig, else KUBECONFIG, ~/.kube/config or the in-cluster service account. */
export function loadKubeConfig(config: Config): Result<KubeConfig> {
  try {
    const kc = new KubeConfig();
    if (config.cluster.kubeconfig !== '') kc.loadFromFile(config.cluster.kubeconfig);
    else kc.loadFromDefault();
    if (kc.getCurrentCluster() === null) throw new Error('no current cluster in it');
    return ok(kc);
  } catch (error) {
    const from = config.cluster.kubeconfig !== '' ? `cluster.kubeconfig ${config.cluster.kubeconfig}` : 'KUBECONFIG, ~/.kube/config or the in-cluster service account';
    return fail(injectorError('CLUSTER_READ_FAILED', `cannot load a Kubernetes client configuration (${from}): ${error instanceof Error ? error.message : String(error)}`));
  }
}

interface Watched<T extends KubernetesObject> {
  informer: ListWatch<T>;
  synced: boolean;
}

function watch<T extends KubernetesObject>(informer: ListWatch<T>, what: string, logger: Logger, stopped: () => boolean): Watched<T> {
  const watched: Watched<T> = { informer, synced: false };
  informer.on('error', (error: unknown) => {
    logger.warn({ cache: what, reason: error instanceof Error ? error.message : String(error) }, 'cluster cache: list/watch failed; retrying');
    setTimeout(() => {
      if (!stopped()) void begin();
    }, RESTART_MS).unref();
  });
  const begin = async (): Promise<void> => {
    await informer.start();
    // start() resolves once the list is in (or has failed: then the error handler retries).
    if (!watched.synced && informer.latestResourceVersion() !== '') {
      watched.synced = true;
      logger.info({ cache: what, objects: informer.list().length }, 'cluster cache synced');
    }
  };
  void begin();
  return watched;
}

export function startClusterCaches(config: Config, kc: KubeConfig, logger: Logger): ClusterCaches {
  const core = kc.makeApiClient(CoreV1Api);
  let stopped = false;
  const isStopped = (): boolean => stopped;
  const watchedAll: Array<Watched<KubernetesObject>> = [];

  // Parsed when a namespace is added or changed, not per admission.
  const policies = new Map<string, NamespacePolicyLookup>();
  let namespaces: Watched<V1Namespace> | null = null;
  if (config.namespacePolicy.enabled) {
    // autoStart false: handlers are in place before the first list.
    const informer = new ListWatch<V1Namespace>('/api/v1/namespaces', new Watch(kc), () => core.listNamespace(), false);
    const remember = (ns: V1Namespace): void => {
      const name = ns.metadata?.name;
      if (name !== undefined) policies.set(name, namespacePolicyOf(ns));
    };
    informer.on('add', remember);
    informer.on('update', remember);
    informer.on('delete', (ns) => {
      if (ns.metadata?.name !== undefined) policies.delete(ns.metadata.name);
    });
    namespaces = watch(informer, 'namespaces', logger, isStopped);
    watchedAll.push(namespaces as unknown as Watched<KubernetesObject>);
  }

  // namespace -> its informer; '' is the cluster-wide one (pipeline.configMap.namespaces empty).
  const configMaps = new Map<string, Watched<V1ConfigMap>>();
  const listed = config.pipeline.configMap.namespaces;
  if (config.pipeline.configSource !== 'annotation') {
    if (listed.length === 0) {
      const informer = new ListWatch<V1ConfigMap>('/api/v1/configmaps', new Watch(kc), () => core.listConfigMapForAllNamespaces(), false);
      configMaps.set('', watch(informer, 'configmaps', logger, isStopped));
    }
    for (const namespace of listed) {
      const informer = new ListWatch<V1ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps`, new Watch(kc), () => core.listNamespacedConfigMap({ namespace }), false);
      configMaps.set(namespace, watch(informer, `configmaps in ${namespace}`, logger, isStopped));
    }
    for (const w of configMaps.values()) watchedAll.push(w as unknown as Watched<KubernetesObject>);
  }

  const NONE: NamespacePolicyLookup = { state: 'none' };
  const UNKNOWN: NamespacePolicyLookup = { state: 'unknown' };
  const context: ClusterContext = {
    namespacePolicy: (namespace) => {
      if (namespaces === null) return NONE;
      if (!namespaces.synced) return UNKNOWN;
      return policies.get(namespace) ?? NONE;
    },
    configMap: (namespace, name): ConfigMapLookup => {
      if (config.pipeline.configSource === 'annotation') return { state: 'unknown', why: 'pipeline.configSource does not read ConfigMaps' };
      const watched = configMaps.get(listed.length === 0 ? '' : namespace);
      if (watched === undefined) return { state: 'unknown', why: notListed(namespace) };
      if (!watched.synced) return { state: 'unknown', why: "the injector's cache of ConfigMaps has not synced yet" };
      const found = watched.informer.get(name, namespace);
      return found === undefined ? { state: 'absent' } : { state: 'found', data: found.data ?? {} };
    },
  };
  return {
    context,
    synced: () => watchedAll.every((w) => w.synced),
    stop: async () => {
      stopped = true;
      for (const w of watchedAll) await w.informer.stop();
    },
  };
}
