// A declared container read the way kube-apiserver's decoder reads it (sigs.k8s.io/json into the
// core/v1 Go types), walking the schema table of container-schema.ts:
// - a field the type does not have is dropped, at any depth, with a warning naming its path (the
//   apiserver drops it silently; field names are case-sensitive there too);
// - a value of the wrong JSON type is an error, as the decoder refuses it (a string where an
//   int32 is expected, 1.5 for an integer, an int32 out of range, "true" for a bool);
// - null means absent, as Go's decoder reads it: the field is left out; inside a list or as a map
//   value it is the element type's zero value ("", 0, false, {}, quantity 0), as Go gives it.
// The copy is built only from the schema's own field names and from map keys other than
// __proto__, constructor and prototype, with own-property reads: no input key can reach an
// object's prototype. The walk follows the schema, never the input, so its depth is the
// schema's (under 10) whatever the input's nesting, and each input node is read once.
import { isObject, type Json, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';
import { fieldsOf, type FieldType } from './container-schema.js';

export interface ShapeFindings {
  errors: string[];
  warnings: string[];
  /** The paths of the errors: the value there was left out of the copy (or zeroed in a list). */
  refused: Set<string>;
}

export interface Shaped extends ShapeFindings {
  /** The container with the schema's fields only, in their declared JSON types; null when the input is not an object. */
  container: JsonObject | null;
}

/** Map keys that would reach Object.prototype if assigned; never copied. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function isIdentifierLike(key: string): boolean {
  if (key.length === 0 || key.length > 63) return false;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
    if (!letter && !(i > 0 && ((code >= 48 && code <= 57) || code === 45))) return false;
  }
  return true;
}

/** A path segment for a key: `.key` for plain names, `["key"]` (quoted, cut short) otherwise. */
export function keySegment(key: string): string {
  return isIdentifierLike(key) ? `.${key}` : `[${quoteName(key)}]`;
}

/** What a JSON value is, for a message: never the value itself. */
export function kindOf(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** What was given instead, precise about numbers where a whole number was expected. */
function given(value: Json, type: FieldType): string {
  if (typeof value !== 'number' || (type.kind !== 'int32' && type.kind !== 'int64' && type.kind !== 'IntOrString')) return kindOf(value);
  if (!Number.isFinite(value)) return 'a number too large for JSON';
  return Number.isInteger(value) ? 'a number out of range' : 'a fraction';
}

function typeError(path: string, type: FieldType, value: Json, findings: ShapeFindings): undefined {
  findings.errors.push(`${path}: must be ${describeType(type)}, got ${given(value, type)}`);
  findings.refused.add(path);
  return undefined;
}

function zeroValue(type: FieldType): Json {
  switch (type.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'IntOrString':
      return 0;
    case 'Quantity':
      return '0';
    case 'list':
      return [];
    case 'map':
    case 'object':
      return {};
  }
}

function describeType(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return 'a string';
    case 'bool':
      return 'true or false';
    case 'int32':
      return `a whole number from ${INT32_MIN} to ${INT32_MAX} (int32)`;
    case 'int64':
      // Go takes any int64; a JavaScript number holds integers exactly only up to 2^53.
      return `a whole number from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (int64, as far as JSON numbers are exact)`;
    case 'Quantity':
      return 'a quantity: a string such as "500m" or "512Mi", or a number';
    case 'IntOrString':
      return 'a port number or a port name';
    case 'object':
      return `an object (${type.type})`;
    case 'list':
      return 'a list';
    case 'map':
      return 'an object (a map of names to values)';
  }
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

/** One value of a known type; undefined when it is refused (an error was recorded). */
function shapeValue(value: Json, type: FieldType, path: string, findings: ShapeFindings): Json | undefined {
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : typeError(path, type, value, findings);
    case 'bool':
      return typeof value === 'boolean' ? value : typeError(path, type, value, findings);
    case 'int32':
      return typeof value === 'number' && isInt32(value) ? value : typeError(path, type, value, findings);
    case 'int64':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : typeError(path, type, value, findings);
    case 'IntOrString':
      // intstr.IntOrString: a JSON string is a name, anything else is read as an int32.
      return typeof value === 'string' || (typeof value === 'number' && isInt32(value)) ? value : typeError(path, type, value, findings);
    case 'Quantity':
      // Whether the text is a valid quantity is the validation's to say, with its own message.
      return typeof value === 'string' || typeof value === 'number' ? value : typeError(path, type, value, findings);
    case 'object':
      return isObject(value) ? shapeObject(value, type.type, path, findings) : typeError(path, type, value, findings);
    case 'list': {
      if (!Array.isArray(value)) return typeError(path, type, value, findings);
      const out: Json[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = value[i] as Json;
        const shaped = item === null ? zeroValue(type.items) : shapeValue(item, type.items, `${path}[${i}]`, findings);
        // A refused element keeps its place so later indexes in messages stay true.
        out.push(shaped === undefined ? zeroValue(type.items) : shaped);
      }
      return out;
    }
    case 'map': {
      if (!isObject(value)) return typeError(path, type, value, findings);
      const out: JsonObject = {};
      for (const key of Object.keys(value)) {
        const at = `${path}${keySegment(key)}`;
        if (PROTOTYPE_KEYS.has(key)) {
          findings.errors.push(`${at}: not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)`);
          findings.refused.add(at);
          continue;
        }
        const item = value[key] as Json;
        const shaped = item === null ? zeroValue(type.values) : shapeValue(item, type.values, at, findings);
        if (shaped !== undefined) out[key] = shaped;
      }
      return out;
    }
  }
}

/** Fields with a name that differs from a known one only in case: the likely typo. */
function caseHint(typeName: string, key: string): string {
  const lower = key.toLowerCase();
  for (const field of fieldsOf(typeName).keys()) if (field.toLowerCase() === lower) return ` (did you mean "${field}"? names are case-sensitive)`;
  return '';
}

function shapeObject(value: JsonObject, typeName: string, path: string, findings: ShapeFindings): JsonObject {
  const fields = fieldsOf(typeName);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const type = fields.get(key);
    const at = `${path}${keySegment(key)}`;
    if (type === undefined) {
      findings.warnings.push(`${at}: not a field of ${typeName}; the apiserver would drop it${key.length <= 63 ? caseHint(typeName, key) : ''}`);
      continue;
    }
    const item = value[key] as Json;
    if (item === null) continue;
    const shaped = shapeValue(item, type, at, findings);
    if (shaped !== undefined) out[key] = shaped;
  }
  return out;
}

/** One declared container, read as the apiserver's decoder would read it. */
export function shapeContainer(input: Json, path: string): Shaped {
  const findings: ShapeFindings = { errors: [], warnings: [], refused: new Set() };
  if (!isObject(input)) {
    findings.errors.push(`${path}: must be a Kubernetes Container object, got ${kindOf(input)}`);
    findings.refused.add(path);
    return { container: null, ...findings };
  }
  return { container: shapeObject(input, 'Container', path, findings), ...findings };
}
