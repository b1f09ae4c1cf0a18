// Whether a container already in the pod under a declared name is the declared sidecar, put there
// by someone else (Feldera's Enterprise runner renders init_containers into the StatefulSet
// itself). It is when it equals the declared spec once the apiserver's defaults are applied to
// both (terminationMessagePath, imagePullPolicy, ports' protocol, probe thresholds...), quantities
// compared by value, the service-account token mount set aside; a restartPolicy of Always that
// the declaration left out is tolerated.
import type { JsonObject } from '../json.js';
import { canonicalText } from '../kube/canonical.js';
import { withoutServiceAccountMount } from './status.js';

export function isDeclaredSpec(existing: JsonObject, declared: JsonObject, hostNetwork: boolean): boolean {
  const actual = canonicalText(withoutServiceAccountMount(existing), 'Container', { hostNetwork });
  const asDeclared = (c: JsonObject): string => canonicalText(c, 'Container', { hostNetwork });
  if (actual === asDeclared(declared)) return true;
  return declared.restartPolicy === undefined && actual === asDeclared({ ...declared, restartPolicy: 'Always' });
}
