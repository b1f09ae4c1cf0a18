// Feldera-shaped objects from the shared examples (test/fixtures/): the pipeline StatefulSet with
// a fresh pipeline id, and a pipeline pod as its controller would create it, with the runtime
// config (and so init_containers) replaceable.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const RUNTIME_CONFIG_ANNOTATION = 'feldera.com/runtime-config';
export const STATUS_ANNOTATION = 'sidecar.feldera.com/status';
const EXAMPLE_ID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';

type JsonObject = Record<string, unknown>;

function fixture(name: string): string {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', name), 'utf8');
}

/** The example runtime_config (two sidecars: one fully declared, one with no resources). */
export function exampleRuntimeConfig(): JsonObject {
  return JSON.parse(fixture('runtime-config.json')) as JsonObject;
}

export interface PipelineStatefulSet {
  id: string;
  name: string;
  podName: string;
  object: JsonObject;
}

/** The example StatefulSet `pipeline-<uuid>` for a new uuid, in `namespace`. */
export function pipelineStatefulSet(namespace: string, id: string = randomUUID()): PipelineStatefulSet {
  const text = fixture('pipeline-statefulset.json').split(EXAMPLE_ID).join(id);
  const object = JSON.parse(text) as { metadata: JsonObject };
  object.metadata.namespace = namespace;
  const name = `pipeline-${id}`;
  return { id, name, podName: `${name}-0`, object: object as JsonObject };
}

export interface PipelinePodOptions {
  namespace: string;
  name?: string;
  id?: string;
  /** The runtime config to carry (default: the example); a string is used verbatim. */
  runtimeConfig?: JsonObject | string;
}

/**
 * A pod as the StatefulSet controller renders `pipeline-<uuid>-0` from the example template, for
 * direct creation: the volumeClaimTemplate's `storage` volume becomes an emptyDir.
 */
export function pipelinePod(options: PipelinePodOptions): JsonObject {
  const sts = pipelineStatefulSet(options.namespace, options.id);
  const template = (sts.object.spec as { template: { metadata: JsonObject; spec: JsonObject } }).template;
  const annotations = { ...(template.metadata.annotations as Record<string, string>) };
  if (options.runtimeConfig !== undefined) {
    annotations[RUNTIME_CONFIG_ANNOTATION] = typeof options.runtimeConfig === 'string' ? options.runtimeConfig : JSON.stringify(options.runtimeConfig);
  }
  const spec = structuredClone(template.spec) as { volumes: JsonObject[] };
  spec.volumes = [...spec.volumes, { name: 'storage', emptyDir: {} }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name ?? sts.podName, namespace: options.namespace, labels: template.metadata.labels, annotations },
    spec,
  };
}
