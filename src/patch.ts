// RFC 6902 operations from the object exactly as received to its mutated copy. Diffing the raw
// object (as controller-runtime does) rather than emitting hand-made ops means a field we do not
// model can never be dropped, and paths are escaped ('/' -> ~1, '~' -> ~0) by the library.
//
// The mutated pod shares every unchanged subtree with the received one (mutate/pod.ts copies only
// the path it changes), so subtrees that are the same reference are skipped instead of compared:
// managedFields, volumes and the pipeline container cost nothing, and the walk only descends
// where the mutated copy was built by us, so its depth is ours, not the input's. Keys are
// checked with Object.hasOwn: a "__proto__" or "constructor" key in a pod is data, like any other.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { isObject, type Json, type JsonObject } from './json.js';

function diff(received: Json, mutated: Json, path: string, ops: Operation[]): void {
  if (received === mutated) return;
  if (isObject(received) && isObject(mutated)) {
    for (const key of Object.keys(received)) {
      if (!Object.hasOwn(mutated, key)) ops.push({ op: 'remove', path: `${path}/${jsonpatch.escapePathComponent(key)}` });
    }
    for (const key of Object.keys(mutated)) {
      const at = `${path}/${jsonpatch.escapePathComponent(key)}`;
      const value = mutated[key] as Json;
      if (Object.hasOwn(received, key)) diff(received[key] as Json, value, at, ops);
      else ops.push({ op: 'add', path: at, value });
    }
    return;
  }
  if (Array.isArray(received) && Array.isArray(mutated)) {
    const common = Math.min(received.length, mutated.length);
    for (let i = 0; i < common; i++) diff(received[i] as Json, mutated[i] as Json, `${path}/${i}`, ops);
    for (let i = received.length - 1; i >= mutated.length; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    for (let i = received.length; i < mutated.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: mutated[i] as Json });
    return;
  }
  ops.push({ op: 'replace', path, value: mutated });
}

export function computePatch(received: JsonObject, mutated: JsonObject): Operation[] {
  const ops: Operation[] = [];
  diff(received, mutated, '', ops);
  return ops;
}
