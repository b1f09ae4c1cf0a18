// Turns one declared (validated) container into the native sidecar the pod gets: restartPolicy
// Always, resources completed from the defaults, discovery env in front. Pure; the declared object
// is not modified, and fields we do not know are carried over as they are.
import type { Resources } from '../config/config.js';
import type { JsonObject } from '../json.js';
import { withDiscoveryEnv, type PipelineLocation } from './env.js';
import { fillResources } from './resources.js';

export interface RenderOptions {
  defaultResources: Resources;
  location: PipelineLocation;
  injectEnv: boolean;
}

export function renderSidecar(declared: JsonObject, options: RenderOptions): JsonObject {
  const sidecar: JsonObject = { ...declared, restartPolicy: 'Always' };
  sidecar.resources = fillResources(declared.resources, options.defaultResources);
  if (options.injectEnv) sidecar.env = withDiscoveryEnv(declared.env, options.location);
  return sidecar;
}
