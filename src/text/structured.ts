// Reads a bounded JSON or YAML text that must hold one object: a namespace's policy annotation,
// the content of Feldera's pipeline ConfigMap. Size is checked before parsing and depth after;
// problems are reported by kind and position only, because the text may hold secrets (env values).
import { parseDocument } from 'yaml';
import { depthExceeds, isObject, readJson, type Json, type JsonObject } from '../json.js';

export interface TextBounds {
  bytes: number;
  depth: number;
  /** A smaller bound for YAML: the yaml parser reads about 100-200 KB per second here, JSON.parse hundreds of MB. */
  yamlBytes?: number;
}

export type StructuredRead = { ok: true; value: JsonObject } | { ok: false; problem: string };

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * An upper bound of the YAML text's nesting, in one pass and before any parsing: the yaml parser
 * spends seconds (and at 256 KB of "[" runs Node out of memory) on deep nesting before it reports
 * RESOURCE_EXHAUSTION, and a ConfigMap value may hold 1 MiB. Brackets count wherever they are
 * (quotes are not tracked, so this errs on the strict side); block nesting is the stack of
 * increasing indentations plus the "- " items that open a line.
 */
function yamlNestingExceeds(text: string, max: number): boolean {
  let flow = 0;
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      dashes = 0;
      continue;
    }
    if (lineStart) {
      if (c === 0x20) {
        indent++;
        continue;
      }
      if (c === 0x2d && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x0a || i + 1 === text.length)) {
        dashes++;
        indent++;
        if (indents.length + dashes > max) return true;
        continue;
      }
      lineStart = false;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
      if (indents.length + dashes > max) return true;
    }
    if (c === 0x5b || c === 0x7b) {
      if (++flow > max) return true;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
  }
  return indents.length + dashes > max;
}

function startsLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

/** JSON when it starts like JSON (the common case, and exact positions), YAML otherwise. */
export function readStructuredObject(text: string, bounds: TextBounds): StructuredRead {
  // Characters first: cheap, and a UTF-8 byte count is at least the UTF-16 length / 1.
  if (text.length > bounds.bytes || Buffer.byteLength(text) > bounds.bytes) return { ok: false, problem: `it is larger than ${bounds.bytes} bytes` };
  let value: Json;
  if (startsLikeJson(text)) {
    const read = readJson(text);
    if (!read.ok) return { ok: false, problem: `it is not valid JSON (${read.problem})` };
    value = read.value;
  } else {
    if (bounds.yamlBytes !== undefined && text.length > bounds.yamlBytes) {
      return { ok: false, problem: `it is YAML larger than ${bounds.yamlBytes} bytes (JSON may be up to ${bounds.bytes})` };
    }
    if (yamlNestingExceeds(text, bounds.depth)) return { ok: false, problem: `it nests deeper than ${bounds.depth} levels` };
    // No aliases: an alias bomb expands a few bytes into gigabytes, and neither source needs them.
    // uniqueKeys off: yaml checks it pairwise (90,000 keys took 307 s); a repeated key keeps its last
    // value, as JSON.parse does on the JSON path.
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
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
