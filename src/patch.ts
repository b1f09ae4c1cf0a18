// RFC 6902 operations from the object exactly as received to its mutated copy. Diffing the raw
// object (as controller-runtime does) rather than emitting hand-made ops means a field we do not
// model can never be dropped, and paths are escaped ('/' -> ~1, '~' -> ~0) by the library.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { JsonObject } from './json.js';

export function computePatch(received: JsonObject, mutated: JsonObject): Operation[] {
  if (received === mutated) return [];
  return jsonpatch.compare(received, mutated);
}
