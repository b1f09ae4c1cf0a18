// Reads a bounded JSON or YAML text that must hold one object: a namespace's policy annotation,
// the content of Feldera's pipeline ConfigMap. Size is checked before parsing and depth after;
// problems are reported by kind and position only, because the text may hold secrets (env values).
import { parseDocument } from 'yaml';
import { depthExceeds, isObject, readJson, type Json, type JsonObject } from '../json.js';

export interface TextBounds {
  bytes: number;
  depth: number;
}

export type StructuredRead = { ok: true; value: JsonObject } | { ok: false; problem: string };

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** JSON when it starts like JSON (the common case, and exact positions), YAML otherwise. */
export function readStructuredObject(text: string, bounds: TextBounds): StructuredRead {
  // Characters first: cheap, and a UTF-8 byte count is at least the UTF-16 length / 1.
  if (text.length > bounds.bytes || Buffer.byteLength(text) > bounds.bytes) return { ok: false, problem: `it is larger than ${bounds.bytes} bytes` };
  let value: Json;
  if (/^\s*[{[]/.test(text)) {
    const read = readJson(text);
    if (!read.ok) return { ok: false, problem: `it is not valid JSON (${read.problem})` };
    value = read.value;
  } else {
    // No aliases: an alias bomb expands a few bytes into gigabytes, and neither source needs them.
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error !== undefined) {
      const at = error.linePos?.[0];
      return { ok: false, problem: `it is not valid YAML (${error.code}${at === undefined ? '' : ` at line ${at.line}, column ${at.col}`})` };
    }
    try {
      value = (doc.toJS({ maxAliasCount: 0 }) as Json | undefined) ?? null;
    } catch {
      return { ok: false, problem: 'it is not valid YAML (aliases are not accepted)' };
    }
  }
  if (!isObject(value)) return { ok: false, problem: `it must hold an object (a map), got ${describe(value)}` };
  if (depthExceeds(value, bounds.depth)) return { ok: false, problem: `it nests deeper than ${bounds.depth} levels` };
  return { ok: true, value };
}
