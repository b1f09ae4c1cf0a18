// Bounded reading of JSON-or-YAML text (namespace policy annotations, Feldera's ConfigMap values).
// The nesting pre-scan exists because the yaml parser spends seconds, or runs out of memory, on
// deep nesting before it reports it; these rows would each take seconds without it.
import t from 'tap';
import { readStructuredObject, type StructuredRead } from '../../src/text/structured.js';

const BOUNDS = { bytes: 1 << 20, depth: 32, yamlBytes: 64 * 1024 };
const MB = 1 << 20;

const rows: Array<[string, string, StructuredRead]> = [
  ['a JSON object', '{"workers": 8, "init_containers": []}', { ok: true, value: { workers: 8, init_containers: [] } }],
  ['a YAML object', 'workers: 8\ninit_containers:\n  - name: example\n    image: ubuntu:24.04\n', { ok: true, value: { workers: 8, init_containers: [{ name: 'example', image: 'ubuntu:24.04' }] } }],
  ['JSON after whitespace', ' \n\t{"a": 1}', { ok: true, value: { a: 1 } }],
  ['a repeated YAML key keeps its last value, as JSON.parse does', 'a: 1\na: 2\n', { ok: true, value: { a: 2 } }],
  ['a YAML list is not an object', '- a\n- b\n', { ok: false, problem: 'it must hold an object (a map), got a list' }],
  ['an alias', 'a: &x 1\nb: *x\n', { ok: false, problem: 'it is not valid YAML (aliases are not accepted)' }],
  ['flow nesting 33 deep', `a: ${'['.repeat(33)}${']'.repeat(33)}`, { ok: false, problem: 'it nests deeper than 32 levels' }],
  ['a megabyte of "["', `a: ${'['.repeat(MB - 8)}`, { ok: false, problem: 'it is YAML larger than 65536 bytes (JSON may be up to 1048576)' }],
  ['60 KB of "{"', `a: ${'{'.repeat(60_000)}`, { ok: false, problem: 'it nests deeper than 32 levels' }],
  ['block nesting by indentation', `a:\n${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i + 1)}b${i}:`).join('\n')}\n`, { ok: false, problem: 'it nests deeper than 32 levels' }],
  ['a line of 40 "- "', `${'- '.repeat(40)}x`, { ok: false, problem: 'it nests deeper than 32 levels' }],
  ['flow nesting 32 deep is fine', `a: ${'['.repeat(31)}${']'.repeat(31)}`, { ok: true, value: { a: JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`) as unknown as never } }],
];

for (const [what, text, expected] of rows) {
  t.test(what, async (t) => {
    t.strictSame(readStructuredObject(text, BOUNDS), expected);
  });
}

t.test('JSON may be larger than the YAML bound', async (t) => {
  const keys = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v']));
  const read = readStructuredObject(JSON.stringify(keys), BOUNDS);
  t.strictSame(read.ok, true);
  t.ok(JSON.stringify(keys).length > BOUNDS.yamlBytes, 'the text is over the YAML bound');
});

t.test('over the byte bound, whatever the format', async (t) => {
  t.strictSame(readStructuredObject(`{"a": "${'x'.repeat(MB)}"}`, BOUNDS), { ok: false, problem: `it is larger than ${MB} bytes` });
});
