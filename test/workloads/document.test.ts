import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { injectDocument } from '../../src/workloads/document.js';
import { runInject } from '../../src/cli/inject.js';
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
  const result = injectDocument(statefulSet, DEFAULT_CONFIG);
  t.ok(result.ok);
  if (!result.ok) return;
  const out = result.value.output as JsonObject;
  const template = (out.spec as JsonObject).template as JsonObject;
  t.same(initNames(template.spec), ['example', 'ingest-sidecar']);
  t.notOk('name' in (template.metadata as JsonObject), 'the template gets no pod name');
  t.ok(result.value.ops.every((op) => op.path.startsWith('/spec/template/')), 'patch touches only the template');
  t.same((out.spec as JsonObject).volumeClaimTemplates, (statefulSet.spec as JsonObject).volumeClaimTemplates, 'the rest is kept');
  const again = injectDocument(out, DEFAULT_CONFIG);
  t.ok(again.ok && again.value.ops.length === 0, 'injecting the output again changes nothing');
});

t.test('a Pod and an AdmissionReview give the same pod', async (t) => {
  const a = injectDocument(pod, DEFAULT_CONFIG);
  const b = injectDocument(review, DEFAULT_CONFIG);
  t.ok(a.ok && b.ok);
  if (a.ok && b.ok) {
    t.same(a.value.output, b.value.output);
    t.equal(b.value.review?.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002', 'the review keeps its uid');
  }
});

t.test('a denial carries the webhook message', async (t) => {
  const result = injectDocument(pod, forbidding);
  t.notOk(result.ok);
  if (!result.ok) t.match(result.error.message, 'pipeline.allowInitContainers: false');
});

t.test('objects without a pod template pass through with a note', async (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  const result = injectDocument(cm, DEFAULT_CONFIG);
  t.ok(result.ok);
  if (result.ok) {
    t.same(result.value.output, cm);
    t.match(result.value.note, 'no pod template');
  }
});

t.test('the inject command: formats and exit codes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsi-inject-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = (file: string, output?: 'yaml' | 'json' | 'patch' | 'review', config: Config = DEFAULT_CONFIG) => {
    let stdout = '';
    let stderr = '';
    const code = runInject(file, output, config, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  };
  const yamlFile = join(dir, 'multi.yaml');
  writeFileSync(yamlFile, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${JSON.stringify(statefulSet)}\n`);
  const yaml = run(yamlFile);
  t.equal(yaml.code, 0);
  const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as JsonObject);
  t.equal(docs.length, 2, 'both YAML documents are printed');
  t.same(initNames(((docs[1]?.spec as JsonObject).template as JsonObject).spec), ['example', 'ingest-sidecar']);

  const jsonFile = join(dir, 'pod.json');
  writeFileSync(jsonFile, JSON.stringify(pod));
  const patch = run(jsonFile, 'patch');
  t.equal(patch.code, 0);
  const ops = JSON.parse(patch.stdout) as { op: string; path: string }[];
  t.ok(ops.some((o) => o.path === '/spec/initContainers'), 'patch output adds initContainers');

  const denied = run(jsonFile, 'json', forbidding);
  t.equal(denied.code, 1, 'a denial exits 1');
  t.match(denied.stderr, 'pipeline.allowInitContainers: false');
  t.equal(denied.stdout, '', 'nothing printed on stdout for a denial');

  const badFile = join(dir, 'bad.json');
  writeFileSync(badFile, '{"kind": ');
  const bad = run(badFile);
  t.equal(bad.code, 2, 'unparseable input exits 2');
  t.match(bad.stderr, 'is not valid JSON');
  t.equal(run(join(dir, 'missing.yaml')).code, 2, 'a missing file exits 2');
});

t.test('a StatefulSet sidecar may mount a volumeClaimTemplate (the pipeline storage)', async (t) => {
  const withMount = structuredClone(statefulSet) as JsonObject;
  const template = (withMount.spec as JsonObject).template as JsonObject;
  const annotations = (template.metadata as JsonObject).annotations as JsonObject;
  annotations['feldera.com/runtime-config'] = JSON.stringify({
    init_containers: [{ name: 'reader', image: 'img:1', volumeMounts: [{ name: 'storage', mountPath: '/storage', readOnly: true }] }],
  });
  const result = injectDocument(withMount, DEFAULT_CONFIG);
  t.ok(result.ok, result.ok ? 'injected' : result.error.message);
  if (!result.ok) return;
  const outSpec = (((result.value.output as JsonObject).spec as JsonObject).template as JsonObject).spec as JsonObject;
  t.same(initNames(outSpec), ['reader']);
  t.same(outSpec.volumes, (template.spec as JsonObject).volumes, 'the template keeps its own volumes');
  const missing = structuredClone(withMount);
  ((((missing.spec as JsonObject).template as JsonObject).metadata as JsonObject).annotations as JsonObject)['feldera.com/runtime-config'] =
    JSON.stringify({ init_containers: [{ name: 'reader', image: 'img:1', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] });
  const refused = injectDocument(missing, DEFAULT_CONFIG);
  t.notOk(refused.ok, 'an unknown volume is still refused');
  if (!refused.ok) t.match(refused.error.message, 'volume "nope" does not exist in the pod (volumes: "config", "storage")');
});
