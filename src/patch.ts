// RFC 6902 operations from the object exactly as received to its mutated copy. Diffing the raw
// object (as controller-runtime does) rather than emitting hand-made ops means a field we do not
// model can never be dropped, and paths are escaped ('/' -> ~1, '~' -> ~0) by the library.
//
// The mutated pod shares every unchanged subtree with the received one (inject/pod.ts copies only
// the path it changes), so subtrees that are the same reference are skipped instead of compared
// field by field: managedFields, volumes and the pipeline container cost nothing. Each changed
// subtree is still diffed by fast-json-patch.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { isObject, type Json, type JsonObject } from './json.js';

function diff(received: Json | undefined, mutated: Json | undefined, path: string, ops: Operation[]): void {
  if (received === mutated) return;
  if (isObject(received) && isObject(mutated)) {
    for (const key of Object.keys(received)) {
      if (!(key in mutated)) ops.push({ op: 'remove', path: `${path}/${jsonpatch.escapePathComponent(key)}` });
    }
    for (const [key, value] of Object.entries(mutated)) {
      const at = `${path}/${jsonpatch.escapePathComponent(key)}`;
      if (key in received) diff(received[key], value, at, ops);
      else ops.push({ op: 'add', path: at, value });
    }
    return;
  }
  for (const op of jsonpatch.compare({ v: received ?? null }, { v: mutated ?? null })) {
    ops.push({ ...op, path: path + op.path.slice('/v'.length) });
  }
}

export function computePatch(received: JsonObject, mutated: JsonObject): Operation[] {
  const ops: Operation[] = [];
  diff(received, mutated, '', ops);
  return ops;
}
