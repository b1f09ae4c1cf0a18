// Puts the rendered sidecars into a copy of the pod so that, whatever the pod held before, it ends
// holding exactly the declared sidecars as this webhook renders them, and a status annotation that
// describes what it holds. For each declared sidecar, by name:
//   - not in the pod: appended after the pod's own init containers, in declared order;
//   - in spec.containers or ephemeralContainers: a collision, refused;
//   - an init container that already is the rendered sidecar (same hash): left as it is;
//   - claimed by the status annotation but different (the runtime_config or the platform's
//     defaults changed, or someone edited the template): re-rendered in place, with a warning;
//   - not claimed, but equal to the declared spec (rendered upstream, e.g. by Feldera's runner):
//     completed in place to the rendered sidecar (restartPolicy, resource defaults, discovery
//     env), with a warning, never added twice;
//   - not claimed and different: a collision, refused, naming both.
// A sidecar the status claims that is no longer declared is removed if it is untouched since it
// was injected, and refused otherwise (someone changed a container this webhook no longer owns).
import { isObject, type JsonObject } from '../json.js';
import { keepEqualParts } from '../kube/canonical.js';
import { withApiserverDefaults } from '../kube/defaults.js';
import { STATUS_ANNOTATION } from '../pipeline/annotations.js';
import { annotationOf, containersByName, specOf, volumeNames } from '../pipeline/pod.js';
import { quoteName } from '../messages.js';
import { isDeclaredSpec } from './same-spec.js';
import { readClaims, renderStatus, sidecarHash, SERVICE_ACCOUNT_MOUNT_PATH, type SidecarRecord } from './status.js';

/** What happened to one sidecar: appended, already right, rewritten in place (drift, or an upstream rendering completed), or taken out. */
export type PlacementKind = 'added' | 'kept' | 're-rendered' | 'completed' | 'removed';

export interface Placement {
  name: string;
  how: PlacementKind;
}

export interface Injection {
  /** The pod with the sidecars; shares unchanged parts with the received object, which is untouched. */
  pod: JsonObject;
  /** One per declared sidecar in declared order, then the undeclared ones removed. */
  placements: Placement[];
  warnings: string[];
}

export type InjectionResult = { ok: true; injection: Injection } | { ok: false; errors: string[] };

export interface SidecarToPlace {
  /** The declared container (pruned to Container fields), for recognising an upstream rendering. */
  declared: JsonObject;
  /** What this webhook injects for it. */
  rendered: JsonObject;
}

const WHERE: Record<string, string> = { containers: 'spec.containers', initContainers: 'spec.initContainers', ephemeralContainers: 'spec.ephemeralContainers' };

function volumeMountErrors(sidecar: JsonObject, index: number, volumes: readonly string[]): string[] {
  const mounts = Array.isArray(sidecar.volumeMounts) ? sidecar.volumeMounts : [];
  const missing = mounts.flatMap((mount, i) => (isObject(mount) && typeof mount.name === 'string' && !volumes.includes(mount.name) ? [{ i, name: mount.name }] : []));
  if (missing.length === 0) return [];
  const known = volumes.length > 0 ? volumes.slice(0, 20).map((v) => quoteName(v)).join(', ') + (volumes.length > 20 ? ', ...' : '') : 'none';
  return missing.map(({ i, name }) => `init_containers[${index}].volumeMounts[${i}].name: volume ${quoteName(name)} does not exist in the pod (volumes: ${known})`);
}

/**
 * What replaces a container rewritten in place: the rendered sidecar as the apiserver would store
 * it (its defaults applied, the service-account token mount it gave the old container kept), with
 * every part that means the same taken over from the old container, so the patch shows only what
 * really changes.
 */
function replacement(rendered: JsonObject, existing: JsonObject, hostNetwork: boolean): JsonObject {
  const token = Array.isArray(existing.volumeMounts)
    ? existing.volumeMounts.find((m) => isObject(m) && m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)
    : undefined;
  const mounts = Array.isArray(rendered.volumeMounts) ? rendered.volumeMounts : [];
  const withToken = token === undefined || mounts.some((m) => isObject(m) && m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH) ? rendered : { ...rendered, volumeMounts: [...mounts, token] };
  return keepEqualParts(withApiserverDefaults(withToken, hostNetwork), existing);
}

/** sidecars[i] comes from init_containers[i]. */
export function injectSidecars(received: JsonObject, sidecars: readonly SidecarToPlace[]): InjectionResult {
  const spec = specOf(received);
  const hostNetwork = spec.hostNetwork === true;
  const existing = containersByName(received);
  const currentStatus = annotationOf(received, STATUS_ANNOTATION);
  const claims = readClaims(currentStatus);
  const volumes = volumeNames(received);
  const initContainers = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const replaced = new Map<number, JsonObject>();
  const dropped = new Set<number>();
  const toAdd: JsonObject[] = [];
  const records: SidecarRecord[] = [];
  const placements: Placement[] = [];

  sidecars.forEach(({ declared, rendered }, index) => {
    const name = String(rendered.name);
    // Only warnings use it, and most admissions have none.
    const at = (): string => `init_containers[${index}] ${quoteName(name)}`;
    const hash = sidecarHash(rendered, hostNetwork);
    records.push({ name, hash });
    const found = existing.get(name);
    if (found === undefined) {
      if (claims.has(name)) warnings.push(`${at()}: listed in ${STATUS_ANNOTATION} but missing from the pod; injected again`);
      errors.push(...volumeMountErrors(rendered, index, volumes));
      toAdd.push(rendered);
      placements.push({ name, how: 'added' });
      return;
    }
    const where = `${WHERE[found.field]}[${found.index}]`;
    if (found.field !== 'initContainers') {
      errors.push(`init_containers[${index}].name: ${quoteName(name)} collides with ${where} of the pod; rename the sidecar`);
      return;
    }
    const current = sidecarHash(found.container, hostNetwork);
    if (current === hash) {
      placements.push({ name, how: 'kept' });
      return;
    }
    const how: PlacementKind = claims.has(name) ? 're-rendered' : 'completed';
    if (claims.has(name)) {
      const why =
        claims.get(name) === current
          ? 'the runtime_config or the platform defaults changed since it was injected'
          : 'the container in the pod was changed after injection';
      warnings.push(`${at()}: ${where} differed from the declared sidecar (${why}); re-rendered from the runtime_config`);
    } else if (isDeclaredSpec(found.container, declared, hostNetwork)) {
      warnings.push(
        `${at()}: already in the pod as declared (rendered upstream, e.g. by Feldera's runner); completed in place with what this webhook adds (restartPolicy, resource defaults, discovery env) instead of being added twice`,
      );
    } else {
      errors.push(
        `init_containers[${index}].name: ${quoteName(name)} collides with ${where} of the pod, which has a different spec (not the declared one, and not injected by this webhook); rename the sidecar or remove that init container`,
      );
      return;
    }
    errors.push(...volumeMountErrors(rendered, index, volumes));
    replaced.set(found.index, replacement(rendered, found.container, hostNetwork));
    placements.push({ name, how });
  });

  const declaredNames = new Set(records.map((r) => r.name));
  for (const [name, claimedHash] of claims) {
    if (declaredNames.has(name)) continue;
    const found = existing.get(name);
    if (found === undefined || found.field !== 'initContainers') continue;
    if (claimedHash !== null && sidecarHash(found.container, hostNetwork) === claimedHash) {
      dropped.add(found.index);
      placements.push({ name, how: 'removed' });
      warnings.push(`spec.initContainers[${found.index}] ${quoteName(name)}: injected by this webhook but no longer declared in init_containers; removed`);
    } else {
      errors.push(
        `spec.initContainers[${found.index}] ${quoteName(name)}: listed in ${STATUS_ANNOTATION} as injected by this webhook, no longer declared in init_containers, and changed since; remove it from the pod template or declare it again`,
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const status = renderStatus(records);
  const changed = toAdd.length > 0 || replaced.size > 0 || dropped.size > 0;
  if (!changed && currentStatus === status) return { ok: true, injection: { pod: received, placements, warnings } };

  // Copy only the path we change; every other field, known or not, is the received one.
  const metadata = isObject(received.metadata) ? received.metadata : {};
  const annotations = { ...(isObject(metadata.annotations) ? metadata.annotations : {}) };
  annotations[STATUS_ANNOTATION] = status;
  const pod: JsonObject = { ...received, metadata: { ...metadata, annotations } };
  if (changed) {
    const kept = initContainers.flatMap((c, i) => (dropped.has(i) ? [] : [replaced.get(i) ?? c]));
    pod.spec = { ...spec, initContainers: [...kept, ...toAdd] };
  }
  return { ok: true, injection: { pod, placements, warnings } };
}
