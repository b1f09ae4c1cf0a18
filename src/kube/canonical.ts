// One text per meaning for a Container: what the apiserver would store, written the same way
// whoever wrote it. Two containers with the same canonical text run the same.
//   - only the schema's fields, in sorted order (unknown fields are dropped by the apiserver);
//   - a zero value of a non-pointer field is the same as absent ("", 0, false, [], {}), as Go's
//     encoder omits it; a pointer's zero value is kept (runAsUser: 0 means root, not unset);
//   - quantities by value, at the milli precision the apiserver stores ("0.5" = "500m");
//   - list order is kept: it is meaningful for env, command and args.
// The walk follows the schema, never the input, so its depth is the schema's whatever it is sent.
import { isObject, type Json } from '../json.js';
import { fieldsOf, type FieldType } from './container-schema.js';
import { defaultsOf, hasDefaultsBelow, takesDefault, type DefaultsContext } from './defaults.js';
import { parseQuantity, storedQuantityKey } from './quantity.js';

// Written straight to text (JSON syntax, keys sorted), without building the canonical object
// first: this runs for every sidecar of every admission.

function isZeroText(text: string, type: FieldType): boolean {
  return text === '""' || text === '0' || text === 'false' || text === '[]' || text === '{}' || (type.kind === 'Quantity' && text === '"0"');
}

function zeroText(type: FieldType): string {
  if (type.kind === 'object' || type.kind === 'map') return '{}';
  if (type.kind === 'list') return '[]';
  if (type.kind === 'bool') return 'false';
  if (type.kind === 'int32' || type.kind === 'int64') return '0';
  return '""';
}

/**
 * JSON.stringify of a string, without the call into the runtime for the usual case (names, images,
 * paths: nothing to escape). The loop is linear and stops at the first character JSON escapes.
 */
function quoted(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || code >= 0xd800) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** The canonical text of one value, or null when it counts as absent. */
function valueText(value: Json | undefined, type: FieldType, defaults: DefaultsContext | null): string | null {
  if (value === undefined || value === null) return type.kind === 'list' ? '[]' : null;
  switch (type.kind) {
    case 'string':
    case 'bool':
    case 'int32':
    case 'int64':
    case 'IntOrString':
      if (typeof value === 'string') return quoted(value);
      return typeof value === 'object' ? null : JSON.stringify(value);
    case 'Quantity': {
      const q = parseQuantity(value);
      // Never String() of an array or object: a deeply nested one would recurse.
      return JSON.stringify(q === null ? `invalid:${typeof value === 'string' || typeof value === 'number' ? String(value) : typeof value}` : storedQuantityKey(q));
    }
    case 'list': {
      if (!Array.isArray(value)) return null;
      let out = '[';
      for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (valueText(value[i] ?? null, type.items, defaults) ?? zeroText(type.items));
      return `${out}]`;
    }
    case 'map': {
      if (!isObject(value)) return null;
      const keys = Object.keys(value).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        out += `${i > 0 ? ',' : ''}${quoted(key)}:${valueText(value[key], type.values, defaults) ?? 'null'}`;
      }
      return `${out}}`;
    }
    case 'object':
      return isObject(value) ? objectText(value, type.type, defaults !== null && hasDefaultsBelow(type.type) ? defaults : null) : null;
  }
}

interface FieldEntry {
  name: string;
  /** The name as JSON, written once. */
  quoted: string;
  type: FieldType;
}

// Each type's fields in sorted order, built once: objects are written by walking these.
const SORTED = new Map<string, FieldEntry[]>();
function sortedFields(typeName: string): FieldEntry[] {
  let entries = SORTED.get(typeName);
  if (entries === undefined) {
    entries = [...fieldsOf(typeName)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, type]) => ({ name, quoted: JSON.stringify(name), type }));
    SORTED.set(typeName, entries);
  }
  return entries;
}

function objectText(value: { [key: string]: Json }, typeName: string, defaults: DefaultsContext | null): string {
  const fills = defaults === null ? null : defaultsOf(typeName);
  let out = '{';
  let first = true;
  for (const { name, quoted, type } of sortedFields(typeName)) {
    let raw = Object.hasOwn(value, name) ? value[name] : undefined;
    const fill = fills === null ? undefined : fills[name];
    if (fill !== undefined && defaults !== null && takesDefault(raw, type.pointer, fill)) raw = fill(value, defaults) ?? raw;
    if (raw === undefined) continue;
    const text = valueText(raw, type, defaults);
    if (text === null || (!type.pointer && isZeroText(text, type))) continue;
    out += first ? `${quoted}:${text}` : `,${quoted}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The canonical text of a value of a schema type (a Container unless told otherwise); with
 * `defaults`, of the value as the apiserver stores it (its defaults applied on the way, no copy).
 */
export function canonicalText(value: Json, typeName = 'Container', defaults: DefaultsContext | null = null): string {
  return isObject(value) ? objectText(value, typeName, defaults) : 'null';
}

function keepEqual(candidate: Json, existing: Json | undefined, type: FieldType): Json {
  if (existing === undefined) return candidate;
  if (valueText(candidate, type, null) === valueText(existing, type, null)) return existing;
  if (type.kind === 'object' && isObject(candidate) && isObject(existing)) return keepEqualFields(candidate, existing, type.type);
  if (type.kind === 'map' && isObject(candidate) && isObject(existing)) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(candidate)) {
      const value = keepEqual(candidate[key] as Json, Object.hasOwn(existing, key) ? existing[key] : undefined, type.values);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return candidate;
}

function keepEqualFields(candidate: { [key: string]: Json }, existing: { [key: string]: Json }, typeName: string): { [key: string]: Json } {
  const fields = fieldsOf(typeName);
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(candidate)) {
    const type = fields.get(key);
    const value = candidate[key] as Json;
    const kept = type === undefined ? value : keepEqual(value, Object.hasOwn(existing, key) ? existing[key] : undefined, type);
    Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The candidate container, with every part that means the same as in the existing one taken from
 * the existing one ("512Mi" stays "512Mi" where "0.5Gi" was asked), so that rewriting a container
 * in place patches only what really changes.
 */
export function keepEqualParts(candidate: { [key: string]: Json }, existing: { [key: string]: Json }, typeName = 'Container'): { [key: string]: Json } {
  return keepEqualFields(candidate, existing, typeName);
}
