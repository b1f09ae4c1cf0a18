// explain --live NAMESPACE/NAME: reads a StatefulSet (else a pod) through the kubeconfig, with
// its namespace and, when pipeline.configSource reads it, the pipeline's ConfigMap; the result is
// the object and a context for decide(), exactly as the webhook would see them.
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { httpStatus } from '../cert-controller/kube-errors.js';
import type { Config } from '../config/config.js';
import { fail, injectorError, ok, type Result } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';
import { pipelineIdOf } from '../pipeline/pod.js';
import { readsConfigMapsIn } from '../cluster/config-map-scope.js';
import { documentPod } from '../workloads/document.js';
import type { ClusterContext } from '../cluster/context.js';
import { liveContext, type FetchedConfigMap } from './live-context.js';

export interface LiveTarget {
  kind: 'StatefulSet' | 'Pod';
  object: JsonObject;
  context: ClusterContext;
  /** Where the inputs came from, for the header of the output. */
  read: string[];
}

function plain(object: unknown): JsonObject {
  // Plain JSON as the webhook receives it, not client-node's model classes (Dates become strings;
  // the Pod and StatefulSet models use the wire's field names).
  const wire: unknown = JSON.parse(JSON.stringify(object));
  return isObject(wire) ? wire : {};
}

function failure(what: string, error: unknown): Result<never> {
  const status = httpStatus(error);
  const hint = status === 403 ? ' (forbidden: your kubeconfig user needs get on it)' : status === null ? '' : ` (HTTP ${status})`;
  return fail(injectorError('CLUSTER_READ_FAILED', `cannot read ${what}${hint}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`));
}

export async function readLive(kc: KubeConfig, namespace: string, name: string, config: Config): Promise<Result<LiveTarget>> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const read: string[] = [];
  let kind: LiveTarget['kind'] = 'StatefulSet';
  let object: JsonObject;
  try {
    object = plain(await apps.readNamespacedStatefulSet({ name, namespace }));
  } catch (error) {
    if (httpStatus(error) !== 404) return failure(`StatefulSet ${namespace}/${quoteName(name)}`, error);
    try {
      kind = 'Pod';
      object = plain(await core.readNamespacedPod({ name, namespace }));
    } catch (podError) {
      if (httpStatus(podError) === 404) return fail(injectorError('CLUSTER_READ_FAILED', `no StatefulSet and no pod named ${quoteName(name)} in namespace ${quoteName(namespace)}`));
      return failure(`pod ${namespace}/${quoteName(name)}`, podError);
    }
  }
  read.push(`${kind} ${namespace}/${name}`);

  let namespaceObject: V1Namespace | null = null;
  if (config.namespacePolicy.enabled) {
    try {
      namespaceObject = await core.readNamespace({ name: namespace });
      read.push(`Namespace ${namespace}`);
    } catch (error) {
      return failure(`namespace ${quoteName(namespace)} (for its policy annotation)`, error);
    }
  }

  const configMaps: FetchedConfigMap[] = [];
  if (config.pipeline.configSource !== 'annotation') {
    const target = documentPod(object);
    const pod = target.ok && target.value.kind !== 'none' ? target.value.review.request.object : null;
    const id = pod === null ? null : pipelineIdOf(pod, config.pipeline.idLabel);
    // As the server: a namespace outside pipeline.configMap.namespaces is never read.
    if (id !== null && readsConfigMapsIn(config, namespace)) {
      const cmName = config.pipeline.configMap.nameTemplate.replace('{id}', id);
      try {
        const cm = await core.readNamespacedConfigMap({ name: cmName, namespace });
        configMaps.push({ namespace, name: cmName, data: cm.data ?? {} });
        read.push(`ConfigMap ${namespace}/${cmName}`);
      } catch (error) {
        if (httpStatus(error) !== 404) return failure(`ConfigMap ${namespace}/${quoteName(cmName)}`, error);
        read.push(`ConfigMap ${namespace}/${cmName} (not found)`);
      }
    }
  }
  return ok({ kind, object, context: liveContext(namespace, namespaceObject, configMaps), read });
}
