// The sidecar.feldera.com/status annotation: which sidecars this webhook put in the pod, each with
// a hash of the container as the apiserver stores it. A second pass (reinvocation, or a pod
// created from an injected template) reads it to tell its own sidecars from name collisions, and
// to tell a container that is exactly what was injected from one that changed since.
//   {"version":2,"sidecars":[{"name":"example","hash":"sha256:..."}]}
// Version 1 ({"version":1,"sidecars":["example"],"hash":...}) listed names only; its names are
// still honoured, with no hash to compare.
import { hash } from 'node:crypto';
import { isObject, readJson, type JsonObject } from '../json.js';
import { canonicalText } from '../kube/canonical.js';

export interface SidecarRecord {
  name: string;
  hash: string;
}

/** What a status annotation claims: name -> hash (null: claimed by a version 1 status, no hash). */
export type Claims = ReadonlyMap<string, string | null>;

/** Mounted by the ServiceAccount admission plugin into every container the pod has when it is created. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The container without the token mount the apiserver adds by itself (it is not ours to compare). */
export function withoutServiceAccountMount(container: JsonObject): JsonObject {
  const mounts = container.volumeMounts;
  if (!Array.isArray(mounts)) return container;
  const kept = mounts.filter((m) => !(isObject(m) && m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH && typeof m.name === 'string' && m.name.startsWith('kube-api-access-')));
  return kept.length === mounts.length ? container : { ...container, volumeMounts: kept };
}

/** The hash of a container as stored: apiserver defaults applied, canonical text, service-account mount aside. */
export function sidecarHash(container: JsonObject, hostNetwork: boolean): string {
  const text = canonicalText(withoutServiceAccountMount(container), 'Container', { hostNetwork });
  // The one-shot hash: no Hash object per sidecar (this runs for every sidecar of every admission).
  return `sha256:${hash('sha256', text, 'hex').slice(0, 16)}`;
}

export function renderStatus(records: readonly SidecarRecord[]): string {
  return JSON.stringify({ version: 2, sidecars: records.map((r) => ({ name: r.name, hash: r.hash })) });
}

/** The claims of an existing status annotation; an unreadable one claims nothing. */
export function readClaims(annotation: string | undefined): Claims {
  const claims = new Map<string, string | null>();
  if (annotation === undefined) return claims;
  const read = readJson(annotation);
  if (!read.ok || !isObject(read.value) || !Array.isArray(read.value.sidecars)) return claims;
  for (const entry of read.value.sidecars) {
    if (typeof entry === 'string') claims.set(entry, null);
    else if (isObject(entry) && typeof entry.name === 'string') claims.set(entry.name, typeof entry.hash === 'string' ? entry.hash : null);
  }
  return claims;
}
