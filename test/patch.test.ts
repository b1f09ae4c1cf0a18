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
