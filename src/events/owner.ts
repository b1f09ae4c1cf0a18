// The StatefulSet a pod belongs to, read from its controller ownerReference: in Feldera the
// pipeline's StatefulSet, the object a platform engineer runs `kubectl describe` on.
import { isObject, type JsonObject } from '../json.js';
import { metadataOf } from '../pipeline/pod.js';

export interface ObjectReference {
  apiVersion: 'apps/v1';
  kind: 'StatefulSet';
  namespace: string;
  name: string;
  uid: string;
}

/** Kubernetes caps names at 253 and uids are 36: anything longer is not a real reference. */
const NAME_MAX = 253;
const UID_MAX = 128;

export function owningStatefulSet(pod: JsonObject, namespace: string): ObjectReference | null {
  const refs = metadataOf(pod).ownerReferences;
  if (!Array.isArray(refs) || namespace === '') return null;
  for (const ref of refs) {
    if (!isObject(ref) || ref.controller !== true || ref.kind !== 'StatefulSet') continue;
    if (typeof ref.apiVersion !== 'string' || !ref.apiVersion.startsWith('apps/')) continue;
    const { name, uid } = ref;
    if (typeof name !== 'string' || typeof uid !== 'string' || name === '' || uid === '') return null;
    if (name.length > NAME_MAX || uid.length > UID_MAX) return null;
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, name, uid };
  }
  return null;
}
