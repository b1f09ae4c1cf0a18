// The variables that tell a sidecar where its pipeline is. They go first in the env list so the
// user's own variables can reference them ($(FELDERA_PIPELINE_URL)); a name the user set wins.
import { isObject, type Json, type JsonObject } from '../json.js';

export interface PipelineLocation {
  pipelineId: string | null;
  port: number;
}

export function discoveryEnv(location: PipelineLocation): JsonObject[] {
  const env: JsonObject[] = [];
  if (location.pipelineId !== null) env.push({ name: 'FELDERA_PIPELINE_ID', value: location.pipelineId });
  // Downward API rather than literal values: the pod name is not always known at admission
  // (generateName), and these stay right whatever renders the pod.
  env.push({ name: 'FELDERA_PIPELINE_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  env.push({ name: 'FELDERA_PIPELINE_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  env.push({ name: 'FELDERA_PIPELINE_URL', value: `http://127.0.0.1:${location.port}` });
  return env;
}

/** The sidecar's env with the discovery variables the user did not set placed in front. */
export function withDiscoveryEnv(userEnv: Json | undefined, location: PipelineLocation): JsonObject[] {
  const user = Array.isArray(userEnv) ? userEnv.filter(isObject) : [];
  const taken = new Set(user.map((e) => e.name));
  return [...discoveryEnv(location).filter((e) => !taken.has(e.name)), ...user];
}
