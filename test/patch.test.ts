import t from 'tap';
import jsonpatch from 'fast-json-patch';
import { computePatch } from '../src/patch.js';
import type { JsonObject } from '../src/json.js';

t.test('absent annotations and initContainers are added whole', async (t) => {
  const received: JsonObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const mutated: JsonObject = structuredClone(received);
  (mutated.metadata as JsonObject).annotations = { 'sidecar.feldera.com/status': '{}' };
  (mutated.spec as JsonObject).initContainers = [{ name: 's', image: 'j' }];
  const ops = computePatch(received, mutated);
  t.strictSame(ops.map((o) => [o.op, o.path]).sort(), [['add', '/metadata/annotations'], ['add', '/spec/initContainers']]);
  t.strictSame(jsonpatch.applyPatch(structuredClone(received), ops).newDocument, mutated);
});

t.test('keys with / and ~ are escaped', async (t) => {
  const received: JsonObject = { metadata: { annotations: { 'a/b~c': 'x' } } };
  const mutated: JsonObject = { metadata: { annotations: { 'a/b~c': 'x', 'sidecar.feldera.com/status': 's' } } };
  const ops = computePatch(received, mutated);
  t.strictSame(ops, [{ op: 'add', path: '/metadata/annotations/sidecar.feldera.com~1status', value: 's' }]);
});

t.test('appending to an existing list adds at the end only', async (t) => {
  const received: JsonObject = { spec: { initContainers: [{ name: 'own' }] } };
  const mutated: JsonObject = { spec: { initContainers: [{ name: 'own' }, { name: 'a' }, { name: 'b' }] } };
  t.strictSame(computePatch(received, mutated), [
    { op: 'add', path: '/spec/initContainers/1', value: { name: 'a' } },
    { op: 'add', path: '/spec/initContainers/2', value: { name: 'b' } },
  ]);
});

t.test('same object: no ops', async (t) => {
  const o: JsonObject = { a: 1 };
  t.strictSame(computePatch(o, o), []);
});

t.test('applying the patch always yields the mutated object', async (t) => {
  const shared = { big: { managedFields: [{ manager: 'x' }] } };
  const pairs: [JsonObject, JsonObject][] = [
    [{ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3, d: [1, 2] } }],
    [{ a: 1, gone: true, s: shared }, { a: 2, s: shared }],
    [{ list: [1, 2, 3] }, { list: [1, 3] }],
    [{ x: { y: 'obj' } }, { x: ['now', 'a', 'list'] }],
    [{ x: null }, { x: { y: 1 } }],
    [{ 'k/~': { 'a~1': 1 } }, { 'k/~': { 'a~1': 2 } }],
  ];
  for (const [received, mutated] of pairs) {
    const ops = computePatch(received, mutated);
    t.strictSame(jsonpatch.applyPatch(structuredClone(received), ops, true, false).newDocument, mutated, JSON.stringify(ops));
  }
  const ops = computePatch({ a: 1, s: shared }, { a: 2, s: shared });
  t.notOk(ops.some((o) => o.path.startsWith('/s')), 'a shared subtree produces no ops');
});

t.test('"__proto__" and "constructor" keys are data: diffed, escaped, never a prototype', async (t) => {
  const received = JSON.parse('{"metadata": {"labels": {"__proto__": {"x": 1}, "constructor": "c"}}, "spec": {}}') as JsonObject;
  const labels = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "prototype": "p"}') as JsonObject;
  const mutated: JsonObject = { ...received, metadata: { labels } };
  const ops = computePatch(received, mutated);
  t.strictSame(ops, [{ op: 'add', path: '/metadata/labels/prototype', value: 'p' }]);
  const removed = computePatch(mutated, received);
  t.strictSame(removed, [{ op: 'remove', path: '/metadata/labels/prototype' }]);
  t.strictSame(({} as Record<string, unknown>).x, undefined);
});

t.test('lists: a changed element is diffed in place, a shorter list loses its tail from the end', async (t) => {
  const a = { name: 'a', image: '1' };
  const received: JsonObject = { spec: { initContainers: [a, { name: 'b', image: '1' }, { name: 'c' }, { name: 'd' }] } };
  const mutated: JsonObject = { spec: { initContainers: [a, { name: 'b', image: '2' }] } };
  const ops = computePatch(received, mutated);
  t.strictSame(ops, [
    { op: 'replace', path: '/spec/initContainers/1/image', value: '2' },
    { op: 'remove', path: '/spec/initContainers/3' },
    { op: 'remove', path: '/spec/initContainers/2' },
  ]);
  t.strictSame(jsonpatch.applyPatch(structuredClone(received), ops).newDocument, mutated);
});

t.test('a value that changes type is replaced', async (t) => {
  t.strictSame(computePatch({ a: [1] }, { a: { b: 1 } }), [{ op: 'replace', path: '/a', value: { b: 1 } }]);
  t.strictSame(computePatch({ a: '2' }, { a: 2 }), [{ op: 'replace', path: '/a', value: 2 }]);
  t.strictSame(computePatch({ a: null }, { a: null }), []);
});

t.test('a deep received subtree the mutation does not touch costs nothing and cannot overflow', async (t) => {
  let deep: JsonObject = {};
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  const received: JsonObject = { spec: { deep, initContainers: [] } };
  const mutated: JsonObject = { spec: { deep, initContainers: [{ name: 's' }] } };
  t.strictSame(computePatch(received, mutated), [{ op: 'add', path: '/spec/initContainers/0', value: { name: 's' } }]);
});
