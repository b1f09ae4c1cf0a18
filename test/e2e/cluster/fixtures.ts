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

/** The seed's sidecar (Feldera's documentation) exactly as the example runtime_config declares it. */
export function seedSidecar(): JsonObject {
  const initContainers = exampleRuntimeConfig().init_containers as JsonObject[];
  const seed = initContainers.find((c) => c.name === 'example');
  if (seed === undefined) throw new Error('test/fixtures/runtime-config.json has no init container named example');
  return seed;
}

/** A stand-in for the pipeline process: busybox httpd on `port`, logging every request URL (-vv). */
export function standInPipelineCommand(port = 8080): string[] {
  return ['/bin/sh', '-c', `mkdir -p /tmp/www/ingress && echo accepted > /tmp/www/ingress/events && exec httpd -f -vv -p ${port} -h /tmp/www`];
}

export interface NodePipelineOptions {
  namespace: string;
  id?: string;
  /** runtime_config.init_containers (default: the example's, as declared). */
  initContainers?: JsonObject[];
  /** Other runtime_config fields to set (hosts, ...). */
  runtimeConfig?: JsonObject;
  /** The image the pipeline container runs (a local one: nothing can be pulled). */
  image: string;
  /** The pipeline container's command (default: the stand-in HTTP server on 8080). */
  command?: string[];
  replicas?: number;
  /** Pod template labels to add (e.g. sidecar.feldera.com/inject: "false"). */
  labels?: Record<string, string>;
  /** The pipeline container's resources (default: requests 50m/32Mi, limits 200m/64Mi: the node has 2 CPUs). */
  pipelineResources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/**
 * The example StatefulSet made runnable on the e2e node: the pipeline container runs a local image
 * (the stand-in pipeline by default) with small requests (the node has 2 CPUs), the storage
 * volumeClaimTemplate is an emptyDir (no PV controller), and the ConfigMap it mounts is returned
 * beside it. The runtime config is the example's, with `init_containers` (and any other field) as
 * given. Everything else is Feldera's shape as in the example.
 */
export function nodePipelineStatefulSet(options: NodePipelineOptions): PipelineStatefulSet & { configMap: JsonObject } {
  const sts = pipelineStatefulSet(options.namespace, options.id);
  const spec = sts.object.spec as {
    replicas: number;
    podManagementPolicy?: string;
    volumeClaimTemplates?: unknown;
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: JsonObject[]; volumes: JsonObject[] } };
  };
  const runtimeConfig = { ...exampleRuntimeConfig(), ...(options.runtimeConfig ?? {}) };
  if (options.initContainers !== undefined) runtimeConfig.init_containers = options.initContainers;
  spec.template.metadata.annotations[RUNTIME_CONFIG_ANNOTATION] = JSON.stringify(runtimeConfig);
  Object.assign(spec.template.metadata.labels, options.labels ?? {});
  spec.replicas = options.replicas ?? 1;
  spec.podManagementPolicy = 'Parallel';
  delete spec.volumeClaimTemplates;
  spec.template.spec.volumes = [...spec.template.spec.volumes, { name: 'storage', emptyDir: {} }];
  const pipeline = spec.template.spec.containers[0] as JsonObject;
  pipeline.image = options.image;
  pipeline.imagePullPolicy = 'Never';
  delete pipeline.args;
  pipeline.command = options.command ?? standInPipelineCommand();
  pipeline.resources = options.pipelineResources ?? { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: sts.name, namespace: options.namespace },
    data: { 'config.json': JSON.stringify({ pipeline_id: sts.id }) },
  };
  return { ...sts, configMap };
}
