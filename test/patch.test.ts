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
  t.same(ops.map((o) => [o.op, o.path]).sort(), [['add', '/metadata/annotations'], ['add', '/spec/initContainers']]);
  t.same(jsonpatch.applyPatch(structuredClone(received), ops).newDocument, mutated);
});

t.test('keys with / and ~ are escaped', async (t) => {
  const received: JsonObject = { metadata: { annotations: { 'a/b~c': 'x' } } };
  const mutated: JsonObject = { metadata: { annotations: { 'a/b~c': 'x', 'sidecar.feldera.com/status': 's' } } };
  const ops = computePatch(received, mutated);
  t.same(ops, [{ op: 'add', path: '/metadata/annotations/sidecar.feldera.com~1status', value: 's' }]);
});

t.test('appending to an existing list adds at the end only', async (t) => {
  const received: JsonObject = { spec: { initContainers: [{ name: 'own' }] } };
  const mutated: JsonObject = { spec: { initContainers: [{ name: 'own' }, { name: 'a' }, { name: 'b' }] } };
  t.same(computePatch(received, mutated), [
    { op: 'add', path: '/spec/initContainers/1', value: { name: 'a' } },
    { op: 'add', path: '/spec/initContainers/2', value: { name: 'b' } },
  ]);
});

t.test('same object: no ops', async (t) => {
  const o: JsonObject = { a: 1 };
  t.same(computePatch(o, o), []);
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
    t.same(jsonpatch.applyPatch(structuredClone(received), ops, true, false).newDocument, mutated, JSON.stringify(ops));
  }
  const ops = computePatch({ a: 1, s: shared }, { a: 2, s: shared });
  t.notOk(ops.some((o) => o.path.startsWith('/s')), 'a shared subtree produces no ops');
});
