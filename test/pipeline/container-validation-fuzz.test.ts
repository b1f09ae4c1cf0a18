// Validation never throws, whatever JSON it is given: the table's rows mutated at random (values
// swapped for other JSON types, huge and odd numbers, unicode and prototype keys, deep nesting,
// long lists), deterministically seeded so a failure names its input. And what it accepts is
// stable: the copy it returns validates again with no error and nothing left to drop.
// (fast-check drives decide() and the server in test/fuzz; this is the validation alone.)
import t from 'tap';
import type { Json, JsonObject } from '../../src/json.js';
import { validateContainers } from '../../src/pipeline/container-validation.js';
import { CASE_CONTEXT, CASES } from './validation-cases.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const ODD: Json[] = [
  null, true, false, 0, -0, -1, 0.5, 1e3, 2147483648, -2147483649, 9007199254740993, Number.MAX_VALUE, Infinity, '', ' ', '0x10', '1e400', '1e2147483648',
  '1e-2147483648', '-1Gi', 'nvidia.com/gpu', '名前', '\u0000', '\ud800', '$(A)', '..', '/', '1'.repeat(5000), [], [null], [[]], {}, { '': null }, { __proto__: 1 } as unknown as Json,
];
const KEYS = ['name', 'image', 'ports', 'env', 'resources', 'limits', 'requests', 'cpu', 'nvidia.com/gpu', 'hugepages-2Mi', 'livenessProbe', 'httpGet', 'port', 'exec', 'command', 'sleep', 'seconds', 'securityContext', 'volumeMounts', 'valueFrom', 'fieldRef', 'fieldPath', '__proto__', 'constructor', 'prototype', '名前', 'a/b~c', ''];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T;
}

function deep(levels: number): Json {
  let value: Json = 'x';
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** One random change somewhere in the value. */
function mutate(value: Json, next: () => number, depth = 0): Json {
  const roll = next();
  if (depth > 6 || roll < 0.15) {
    const r = next();
    if (r < 0.05) return deep(500);
    if (r < 0.1) return Array.from({ length: 2000 }, () => pick(next, ODD));
    return pick(next, ODD);
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || roll < 0.25) return [...value, mutate(null, next, depth + 1)];
    const i = Math.floor(next() * value.length);
    return value.map((item, j) => (j === i ? mutate(item, next, depth + 1) : item));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const copy: JsonObject = {};
    for (const key of keys) Object.defineProperty(copy, key, { value: value[key], enumerable: true, writable: true, configurable: true });
    const key = keys.length === 0 || roll < 0.3 ? pick(next, KEYS) : pick(next, keys);
    Object.defineProperty(copy, key, { value: mutate(Object.hasOwn(copy, key) ? (copy[key] as Json) : null, next, depth + 1), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return pick(next, ODD);
}

const parsed: Json[] = CASES.flatMap((row) => {
  try {
    return [JSON.parse(row.container) as Json];
  } catch {
    return [];
  }
});

t.test('never throws, and what it accepts is a fixed point', async (t) => {
  const next = random(20240601);
  let runs = 0;
  let accepted = 0;
  const problems: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const declared = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
      let value = pick(next, parsed);
      for (let m = Math.floor(next() * 4); m > 0; m--) value = mutate(value, next);
      return value;
    });
    runs++;
    const context = next() < 0.5 ? CASE_CONTEXT : {};
    let findings;
    try {
      findings = validateContainers(declared, context);
    } catch (error) {
      problems.push(`threw ${String(error)} for ${JSON.stringify(declared).slice(0, 300)}`);
      continue;
    }
    if (![...findings.errors, ...findings.warnings].every((line) => typeof line === 'string' && line.length < 2000)) problems.push(`a finding that is not a short string for ${JSON.stringify(declared).slice(0, 300)}`);
    if (findings.errors.length > 0) continue;
    accepted++;
    const again = validateContainers(findings.containers, context);
    const dropped = again.warnings.filter((w) => w.includes('not a field of'));
    if (again.errors.length > 0 || dropped.length > 0) problems.push(`the accepted copy is not clean: ${[...again.errors, ...dropped].join('; ')}`);
  }
  t.comment(`${runs} runs, ${accepted} accepted`);
  t.strictSame(problems.slice(0, 10), []);
  t.strictSame(accepted > 500 && accepted < runs, true, 'both verdicts are reached');
});
