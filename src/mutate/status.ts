// The sidecar.feldera.com/status annotation: which sidecars this webhook put in the pod and a hash
// of what it rendered. Containers it names are ours, so a second pass (reinvocation, or a pod
// created from an injected template) recognises them instead of calling them collisions.
import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from '../json.js';

export interface InjectionStatus {
  version: 1;
  sidecars: string[];
  hash: string;
}

export function hashSidecars(sidecars: readonly JsonObject[]): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(sidecars)).digest('hex').slice(0, 16)}`;
}

export function renderStatus(sidecars: readonly JsonObject[]): string {
  const status: InjectionStatus = {
    version: 1,
    sidecars: sidecars.map((s) => String(s.name)),
    hash: hashSidecars(sidecars),
  };
  return JSON.stringify(status);
}

/** Names listed by an existing status annotation; an unreadable one claims nothing. */
export function claimedNames(annotation: string | undefined): Set<string> {
  if (annotation === undefined) return new Set();
  try {
    const parsed: unknown = JSON.parse(annotation);
    if (isObject(parsed) && Array.isArray(parsed.sidecars)) {
      return new Set(parsed.sidecars.filter((n): n is string => typeof n === 'string'));
    }
  } catch {
    // fall through: treat as absent
  }
  return new Set();
}
