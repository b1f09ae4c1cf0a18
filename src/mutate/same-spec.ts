// Whether a container already in the pod is the sidecar we would inject. The apiserver defaults
// fields before admission (terminationMessagePath, imagePullPolicy, ports[].protocol...) and may
// normalise quantities ("0.5" -> "500m"), so "same" means: everything we render is there with the
// same value, extra fields are allowed.
import { isObject, type Json } from '../json.js';
import { compareQuantities, parseQuantity } from '../kube/quantity.js';

export function sameSpec(rendered: Json | undefined, existing: Json | undefined, inResources = false): boolean {
  if (rendered === existing) return true;
  if (Array.isArray(rendered)) {
    return Array.isArray(existing) && rendered.length === existing.length && rendered.every((item, i) => sameSpec(item, existing[i], inResources));
  }
  if (isObject(rendered)) {
    if (!isObject(existing)) return false;
    return Object.entries(rendered).every(([key, value]) => sameSpec(value, existing[key], inResources || key === 'resources'));
  }
  if (inResources && rendered !== undefined && existing !== undefined) {
    const a = parseQuantity(rendered);
    const b = parseQuantity(existing);
    return a !== null && b !== null && compareQuantities(a, b) === 0;
  }
  return false;
}
