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
import { parseQuantity, storedQuantityKey } from './quantity.js';

type Canonical = null | boolean | number | string | Canonical[] | { [key: string]: Canonical };

function isZero(value: Canonical): boolean {
  if (value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function canonicalValue(value: Json | undefined, type: FieldType): Canonical {
  if (value === undefined || value === null) {
    return type.kind === 'list' ? [] : null;
  }
  switch (type.kind) {
    case 'string':
    case 'bool':
    case 'int32':
    case 'int64':
    case 'IntOrString':
      return typeof value === 'object' ? null : value;
    case 'Quantity': {
      const q = parseQuantity(value);
      // Never String() of an array or object: a deeply nested one would recurse.
      return q === null ? `invalid:${typeof value === 'string' || typeof value === 'number' ? String(value) : typeof value}` : storedQuantityKey(q);
    }
    case 'list':
      return Array.isArray(value) ? value.map((item) => canonicalValue(item ?? null, type.items) ?? zeroOf(type.items)) : null;
    case 'map': {
      if (!isObject(value)) return null;
      const out: { [key: string]: Canonical } = {};
      for (const key of Object.keys(value).sort()) {
        Object.defineProperty(out, key, { value: canonicalValue(value[key], type.values), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'object':
      return isObject(value) ? canonicalObject(value, type.type) : null;
  }
}

function zeroOf(type: FieldType): Canonical {
  if (type.kind === 'object' || type.kind === 'map') return {};
  if (type.kind === 'list') return [];
  if (type.kind === 'bool') return false;
  if (type.kind === 'int32' || type.kind === 'int64') return 0;
  return '';
}

function canonicalObject(value: { [key: string]: Json }, typeName: string): { [key: string]: Canonical } {
  const fields = fieldsOf(typeName);
  const out: { [key: string]: Canonical } = {};
  for (const name of [...fields.keys()].sort()) {
    const type = fields.get(name) as FieldType;
    if (!Object.hasOwn(value, name)) continue;
    const canonical = canonicalValue(value[name], type);
    if (canonical === null) continue;
    if (!type.pointer && (isZero(canonical) || (type.kind === 'Quantity' && canonical === '0'))) continue;
    out[name] = canonical;
  }
  return out;
}

/** The canonical text of a value of a schema type (a Container unless told otherwise). */
export function canonicalText(value: Json, typeName = 'Container'): string {
  return JSON.stringify(isObject(value) ? canonicalObject(value, typeName) : null);
}

function keepEqual(candidate: Json, existing: Json | undefined, type: FieldType): Json {
  if (existing === undefined) return candidate;
  if (JSON.stringify(canonicalValue(candidate, type)) === JSON.stringify(canonicalValue(existing, type))) return existing;
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
