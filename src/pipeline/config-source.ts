// Where a pod's runtime config comes from (pipeline.configSource): its own annotation, Feldera's
// ConfigMap for the pipeline, or both (the annotation when the pod carries it: it is the more
// specific, written for this pod; the ConfigMap otherwise). Pure: the ConfigMap is looked up in
// the context decide() was given, never fetched.
import { notListed, readsConfigMapsIn } from '../cluster/config-map-scope.js';
import type { ClusterContext } from '../cluster/context.js';
import type { Config } from '../config/config.js';
import type { JsonObject } from '../json.js';
import { quoteName } from '../messages.js';
import { readStructuredObject, type StructuredRead } from '../text/structured.js';
import { LIMITS } from './limits.js';
import { annotationOf, pipelineIdOf } from './pod.js';

export type RuntimeSource =
  | { kind: 'none'; reason: string }
  | { kind: 'annotation'; annotation: string; text: string }
  | { kind: 'configMap'; name: string; key: string; config: JsonObject }
  /** A pipeline pod whose ConfigMap is missing or unreadable: admitted without sidecars, with a warning. */
  | { kind: 'configMapMissing'; name: string; key: string; problem: string; advice: string };

/** What a message calls the source: "annotation feldera.com/runtime-config", "ConfigMap pipeline-<id> key config.yaml". */
export function sourceName(source: RuntimeSource): string {
  switch (source.kind) {
    case 'annotation':
      return `annotation ${source.annotation}`;
    case 'configMap':
    case 'configMapMissing':
      return `ConfigMap ${quoteName(source.name, 253)} key ${quoteName(source.key, 253)}`;
    default:
      return 'none';
  }
}

/**
 * Every pod of a pipeline reads the same ConfigMap value, and YAML is slow to parse: the last
 * values read are kept, keyed by their text (the parse of a text never changes). Bounded; each
 * admission gets its own copy, so nothing it does can reach the next one.
 */
const READ_CACHE_SIZE = 64;
const readCache = new Map<string, StructuredRead>();

function readConfigMapValue(text: string): StructuredRead {
  const cached = readCache.get(text);
  if (cached !== undefined) return cached.ok ? { ok: true, value: structuredClone(cached.value) } : cached;
  const read = readStructuredObject(text, { bytes: LIMITS.configMapValueBytes, depth: LIMITS.depth, yamlBytes: LIMITS.configMapYamlBytes });
  if (readCache.size >= READ_CACHE_SIZE) {
    const oldest = readCache.keys().next();
    if (oldest.done !== true) readCache.delete(oldest.value);
  }
  readCache.set(text, read);
  return read.ok ? { ok: true, value: structuredClone(read.value) } : read;
}

export function runtimeSourceOf(pod: JsonObject, namespace: string, config: Config, context: ClusterContext): RuntimeSource {
  const { configSource, runtimeConfigAnnotation: annotation } = config.pipeline;
  if (configSource !== 'configMap') {
    const text = annotationOf(pod, annotation);
    if (text !== undefined) return { kind: 'annotation', annotation, text };
    if (configSource === 'annotation') return { kind: 'none', reason: `no ${annotation} annotation` };
  }
  const id = pipelineIdOf(pod, config.pipeline.idLabel);
  if (id === null) {
    return { kind: 'none', reason: `not a pipeline pod: no ${config.pipeline.idLabel} label and no pipeline-<uuid>-N name${configSource === 'both' ? ` and no ${annotation} annotation` : ''}` };
  }
  const { nameTemplate, key } = config.pipeline.configMap;
  const name = nameTemplate.replace('{id}', id);
  const missing = (problem: string, advice = 'Check that Feldera created the ConfigMap before the pods, or set the runtime config on the pod'): RuntimeSource => ({
    kind: 'configMapMissing',
    name,
    key,
    problem,
    advice,
  });
  if (!readsConfigMapsIn(config, namespace)) {
    return missing(`it cannot be read: ${notListed(namespace)}`, `Add ${quoteName(namespace, 63)} to pipeline.configMap.namespaces (the chart then grants a Role there), or set the runtime config on the pod`);
  }
  const found = context.configMap(namespace, name);
  if (found.state === 'absent') return missing('it does not exist');
  if (found.state === 'unknown') return missing(`it cannot be read: ${found.why}`);
  if (!Object.hasOwn(found.data, key)) return missing(`it has no key ${quoteName(key, 253)}`);
  const read = readConfigMapValue(found.data[key] ?? '');
  if (!read.ok) return missing(`its key ${quoteName(key, 253)} is unreadable: ${read.problem}`);
  return { kind: 'configMap', name, key, config: read.value };
}
