// Puts rendered sidecars into a copy of the pod: after the pod's own init containers, in declared
// order. A name already in the pod is ours (listed in the status annotation), the same sidecar
// rendered upstream (left alone, with a warning), or a collision (refused).
import { isObject, type JsonObject } from '../json.js';
import { STATUS_ANNOTATION } from '../pipeline/annotations.js';
import { annotationOf, containersByName, volumeNames } from '../pipeline/pod.js';
import { claimedNames, renderStatus } from './status.js';
import { sameSpec } from './same-spec.js';

export interface Injection {
  /** The pod with the sidecars; shares unchanged parts with the received object, which is untouched. */
  pod: JsonObject;
  added: string[];
  adopted: string[];
  warnings: string[];
}

export type InjectionResult = { ok: true; injection: Injection } | { ok: false; errors: string[] };

function volumeMountErrors(sidecar: JsonObject, index: number, volumes: readonly string[]): string[] {
  const mounts = Array.isArray(sidecar.volumeMounts) ? sidecar.volumeMounts : [];
  const known = volumes.length > 0 ? volumes.join(', ') : 'none';
  return mounts.flatMap((mount, i) =>
    isObject(mount) && typeof mount.name === 'string' && !volumes.includes(mount.name)
      ? [`init_containers[${index}].volumeMounts[${i}].name: volume "${mount.name}" does not exist in the pod (volumes: ${known})`]
      : [],
  );
}

const WHERE: Record<string, string> = { containers: 'spec.containers', initContainers: 'spec.initContainers', ephemeralContainers: 'spec.ephemeralContainers' };

/** sidecars[i] is the rendering of init_containers[i]. */
export function injectSidecars(received: JsonObject, sidecars: readonly JsonObject[]): InjectionResult {
  const existing = containersByName(received);
  const currentStatus = annotationOf(received, STATUS_ANNOTATION);
  const ours = claimedNames(currentStatus);
  const volumes = volumeNames(received);
  const errors: string[] = [];
  const warnings: string[] = [];
  const toAdd: JsonObject[] = [];
  const added: string[] = [];
  const adopted: string[] = [];

  sidecars.forEach((sidecar, index) => {
    const name = String(sidecar.name);
    const found = existing.get(name);
    if (found === undefined) {
      errors.push(...volumeMountErrors(sidecar, index, volumes));
      toAdd.push(sidecar);
      added.push(name);
      return;
    }
    if (found.field === 'initContainers' && ours.has(name)) return;
    if (found.field === 'initContainers' && sameSpec(sidecar, found.container)) {
      adopted.push(name);
      warnings.push(
        `init_containers[${index}] "${name}" is already in the pod with the declared spec (rendered upstream?); it was left as it is, not injected twice`,
      );
      return;
    }
    errors.push(
      `init_containers[${index}].name: "${name}" collides with ${WHERE[found.field]}[${found.index}] of the pod, which has a different spec; rename the sidecar`,
    );
  });
  if (errors.length > 0) return { ok: false, errors };

  const status = renderStatus(sidecars);
  if (toAdd.length === 0 && currentStatus === status) {
    return { ok: true, injection: { pod: received, added, adopted, warnings } };
  }
  // Copy only the path we change; every other field, known or not, is the received one.
  const metadata = isObject(received.metadata) ? received.metadata : {};
  const spec = isObject(received.spec) ? received.spec : {};
  const pod: JsonObject = {
    ...received,
    metadata: { ...metadata, annotations: { ...(isObject(metadata.annotations) ? metadata.annotations : {}), [STATUS_ANNOTATION]: status } },
  };
  if (toAdd.length > 0) {
    pod.spec = { ...spec, initContainers: [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...toAdd] };
  }
  return { ok: true, injection: { pod, added, adopted, warnings } };
}
