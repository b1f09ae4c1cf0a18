import { NO_CLUSTER } from '../../src/cluster/context.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectDocument } from '../../src/workloads/document.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { isObject, type Json, type JsonObject } from '../../src/json.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const statefulSet = JSON.parse(readFileSync(join(fixtures, 'pipeline-statefulset.json'), 'utf8')) as JsonObject;
const review = JSON.parse(readFileSync(join(fixtures, 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
const pod = (review.request as JsonObject).object as JsonObject;
const forbidding: Config = { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } };

function initNames(podSpec: Json | undefined): string[] {
  const spec = isObject(podSpec) ? podSpec : {};
  return Array.isArray(spec.initContainers) ? spec.initContainers.map((c) => String((c as JsonObject).name)) : [];
}

t.test('a StatefulSet gets its pod template injected, and only that', async (t) => {
  const result = injectDocument(statefulSet, DEFAULT_CONFIG, NO_CLUSTER);
  t.ok(result.ok);
  if (!result.ok) return;
  const out = result.value.output as JsonObject;
  const template = (out.spec as JsonObject).template as JsonObject;
  t.strictSame(initNames(template.spec), ['example', 'ingest-sidecar']);
  t.notOk('name' in (template.metadata as JsonObject), 'the template gets no pod name');
  t.ok(result.value.ops.every((op) => op.path.startsWith('/spec/template/')), 'patch touches only the template');
  t.strictSame((out.spec as JsonObject).volumeClaimTemplates, (statefulSet.spec as JsonObject).volumeClaimTemplates, 'the rest is kept');
  const again = injectDocument(out, DEFAULT_CONFIG, NO_CLUSTER);
  t.ok(again.ok && again.value.ops.length === 0, 'injecting the output again changes nothing');
});

t.test('a Pod and an AdmissionReview give the same pod', async (t) => {
  const a = injectDocument(pod, DEFAULT_CONFIG, NO_CLUSTER);
  const b = injectDocument(review, DEFAULT_CONFIG, NO_CLUSTER);
  t.ok(a.ok && b.ok);
  if (a.ok && b.ok) {
    t.strictSame(a.value.output, b.value.output);
    t.strictSame(b.value.review?.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002', 'the review keeps its uid');
  }
});

t.test('a denial carries the webhook message', async (t) => {
  const result = injectDocument(pod, forbidding, NO_CLUSTER);
  t.notOk(result.ok);
  if (!result.ok) t.match(result.error.message, 'pipeline.allowInitContainers: false');
});

t.test('objects without a pod template pass through with a note', async (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  const result = injectDocument(cm, DEFAULT_CONFIG, NO_CLUSTER);
  t.ok(result.ok);
  if (result.ok) {
    t.strictSame(result.value.output, cm);
    t.match(result.value.note, 'no pod template');
  }
});

t.test('a StatefulSet sidecar may mount a volumeClaimTemplate (the pipeline storage)', async (t) => {
  const withMount = structuredClone(statefulSet) as JsonObject;
  const template = (withMount.spec as JsonObject).template as JsonObject;
  const annotations = (template.metadata as JsonObject).annotations as JsonObject;
  annotations['feldera.com/runtime-config'] = JSON.stringify({
    init_containers: [{ name: 'reader', image: 'img:1', volumeMounts: [{ name: 'storage', mountPath: '/storage', readOnly: true }] }],
  });
  const result = injectDocument(withMount, DEFAULT_CONFIG, NO_CLUSTER);
  t.ok(result.ok, result.ok ? 'injected' : result.error.message);
  if (!result.ok) return;
  const outSpec = (((result.value.output as JsonObject).spec as JsonObject).template as JsonObject).spec as JsonObject;
  t.strictSame(initNames(outSpec), ['reader']);
  t.strictSame(outSpec.volumes, (template.spec as JsonObject).volumes, 'the template keeps its own volumes');
  const missing = structuredClone(withMount);
  ((((missing.spec as JsonObject).template as JsonObject).metadata as JsonObject).annotations as JsonObject)['feldera.com/runtime-config'] =
    JSON.stringify({ init_containers: [{ name: 'reader', image: 'img:1', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] });
  const refused = injectDocument(missing, DEFAULT_CONFIG, NO_CLUSTER);
  t.notOk(refused.ok, 'an unknown volume is still refused');
  if (!refused.ok) t.match(refused.error.message, 'volume "nope" does not exist in the pod (volumes: "config", "storage")');
});

t.test('a denial keeps the code decide() gave it', async (t) => {
  const forbidden = injectDocument(pod, forbidding, NO_CLUSTER);
  t.notOk(forbidden.ok);
  if (!forbidden.ok) t.strictSame(forbidden.error.code, 'INIT_CONTAINERS_DISALLOWED');
  const broken = structuredClone(pod);
  ((broken.metadata as JsonObject).annotations as JsonObject)['feldera.com/runtime-config'] = '{"init_containers": [';
  const invalid = injectDocument(broken, DEFAULT_CONFIG, NO_CLUSTER);
  t.notOk(invalid.ok);
  if (!invalid.ok) {
    t.strictSame(invalid.error.code, 'RUNTIME_CONFIG_INVALID');
    t.match(invalid.error.message, /^denied: /);
  }
});

t.test('the note for an object without a pod template quotes its kind as a cut name', async (t) => {
  // [what, document, note]
  const cases: [string, JsonObject, string][] = [
    ['a ConfigMap', { kind: 'ConfigMap' }, 'kind "ConfigMap" has no pod template; left as it is'],
    ['a long kind', { kind: 'K'.repeat(100) }, `kind "${'K'.repeat(63)}..." has no pod template; left as it is`],
    ['no kind', { metadata: {} }, 'an object without a kind has no pod template; left as it is'],
    ['a kind that is not a string', { kind: { a: 1 } }, 'an object without a kind has no pod template; left as it is'],
  ];
  for (const [what, doc, note] of cases) {
    const result = injectDocument(doc, DEFAULT_CONFIG, NO_CLUSTER);
    t.ok(result.ok, what);
    if (result.ok) t.strictSame(result.value.note, note, what);
  }
});
