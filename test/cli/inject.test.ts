// The offline `inject` command (src/cli/inject.ts): formats, and exit codes that say what
// happened: 0 done, 1 denied (with the denial's real code), 2 unusable input or configuration, or
// the injector's own failure (a message, never a stack trace).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { runInject, type OutputFormat } from '../../src/cli/inject.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { isObject, type Json, type JsonObject } from '../../src/json.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const statefulSet = JSON.parse(readFileSync(join(fixtures, 'pipeline-statefulset.json'), 'utf8')) as JsonObject;
const review = JSON.parse(readFileSync(join(fixtures, 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
const pod = (review.request as JsonObject).object as JsonObject;
const forbidding: Config = { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } };
const RUNTIME_CONFIG = 'feldera.com/runtime-config';

function initNames(podSpec: Json | undefined): string[] {
  const spec = isObject(podSpec) ? podSpec : {};
  return Array.isArray(spec.initContainers) ? spec.initContainers.map((c) => String((c as JsonObject).name)) : [];
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fsi-inject-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function runFile(file: string, output?: OutputFormat, config: Config = DEFAULT_CONFIG): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runInject(file, output, config, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** The fixture pod with its runtime config replaced. */
function podWithRuntimeConfig(runtimeConfig: string): JsonObject {
  const copy = structuredClone(pod);
  ((copy.metadata as JsonObject).annotations as JsonObject)[RUNTIME_CONFIG] = runtimeConfig;
  return copy;
}

/** JSON text of the fixture pod with `deep` spliced in as spec.<field>. */
function deepPodText(field: string, deep: string): string {
  const text = JSON.stringify(pod);
  const at = text.indexOf('"spec":{') + '"spec":{'.length;
  return `${text.slice(0, at)}"${field}":${deep},${text.slice(at)}`;
}

t.test('the inject command: formats and exit codes', async (t) => {
  const dir = tempDir(t);
  const run = runFile;
  const yamlFile = join(dir, 'multi.yaml');
  writeFileSync(yamlFile, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${JSON.stringify(statefulSet)}\n`);
  const yaml = run(yamlFile);
  t.strictSame(yaml.code, 0);
  const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as JsonObject);
  t.strictSame(docs.length, 2, 'both YAML documents are printed');
  t.strictSame(initNames(((docs[1]?.spec as JsonObject).template as JsonObject).spec), ['example', 'ingest-sidecar']);

  const jsonFile = join(dir, 'pod.json');
  writeFileSync(jsonFile, JSON.stringify(pod));
  const patch = run(jsonFile, 'patch');
  t.strictSame(patch.code, 0);
  const ops = JSON.parse(patch.stdout) as { op: string; path: string }[];
  t.ok(ops.some((o) => o.path === '/spec/initContainers'), 'patch output adds initContainers');

  const denied = run(jsonFile, 'json', forbidding);
  t.strictSame(denied.code, 1, 'a denial exits 1');
  t.match(denied.stderr, 'pipeline.allowInitContainers: false');
  t.strictSame(denied.stdout, '', 'nothing printed on stdout for a denial');

  const badFile = join(dir, 'bad.json');
  writeFileSync(badFile, '{"kind": ');
  const bad = run(badFile);
  t.strictSame(bad.code, 2, 'unparseable input exits 2');
  t.match(bad.stderr, 'is not valid JSON');
  t.strictSame(run(join(dir, 'missing.yaml')).code, 2, 'a missing file exits 2');
});


t.test('a denial exits 1 and names the real denial code, not always POLICY_VIOLATION', async (t) => {
  const dir = tempDir(t);
  const colliding = structuredClone(pod);
  ((colliding.spec as JsonObject).containers as JsonObject[]).push({ name: 'example', image: 'busybox:1' });
  const privileged = podWithRuntimeConfig(JSON.stringify({ init_containers: [{ name: 'p', image: 'img:1', securityContext: { privileged: true } }] }));
  // [what, pod, config, code]
  const cases: [string, JsonObject, Config, string][] = [
    ['init containers forbidden', pod, forbidding, 'INIT_CONTAINERS_DISALLOWED'],
    ['runtime config not JSON', podWithRuntimeConfig('{"init_containers": [s3cr3t'), DEFAULT_CONFIG, 'RUNTIME_CONFIG_INVALID'],
    ['an invalid container', podWithRuntimeConfig(JSON.stringify({ init_containers: [{ name: 'Bad_Name', image: 'img:1' }] })), DEFAULT_CONFIG, 'CONTAINER_INVALID'],
    ['a policy violation', privileged, DEFAULT_CONFIG, 'POLICY_VIOLATION'],
    ['a name collision', colliding, DEFAULT_CONFIG, 'CONTAINER_COLLISION'],
  ];
  for (const [what, input, config, code] of cases) {
    const file = join(dir, `${code}.json`);
    writeFileSync(file, JSON.stringify(input));
    const result = runFile(file, 'json', config);
    t.strictSame(result.code, 1, `${what}: exit 1`);
    t.strictSame(result.stdout, '', `${what}: nothing on stdout`);
    t.match(result.stderr, new RegExp(`^error: ${code}: denied: `), `${what}: stderr names ${code}`);
    t.notOk(result.stderr.includes('s3cr3t'), `${what}: the runtime config is not quoted`);
  }
});

t.test('unusable input exits 2, and a syntax error is reported by position only', async (t) => {
  const dir = tempDir(t);
  // [what, file content, stderr pattern]
  const cases: [string, string, RegExp][] = [
    ['broken JSON', '{"kind": "Pod", "token": s3cr3t-value}', /^error: .*bad\.txt is not valid JSON: .* at line 1, column \d+\n$/],
    ['broken JSON on line 3', '{\n  "kind": "Pod",\n  "token": "s3cr3t-value\n}', /is not valid JSON: .* at line 3, column \d+\n$/],
    ['broken YAML', 'kind: Pod\ntoken: "s3cr3t-value\n', /^error: .*bad\.txt is not valid YAML: [A-Z_]+ at line \d+, column \d+\n$/],
    ['no object', '---\n', /holds no Kubernetes object/],
    ['a document that is not a map', '- a\n- b\n', /each document must be a Kubernetes object/],
    // An envelope value is quoted as a name, cut at 63 characters.
    ['a malformed AdmissionReview', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: `PATCH${'x'.repeat(100)}s3cr3t` } }), /operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCHx+\.\.\."\n$/],
  ];
  for (const [what, content, pattern] of cases) {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, content);
    const result = runFile(file);
    t.strictSame(result.code, 2, `${what}: exit 2`);
    t.match(result.stderr, pattern, `${what}: ${result.stderr.trim()}`);
    t.notOk(result.stderr.includes('s3cr3t'), `${what}: the input is not quoted`);
    t.strictSame(result.stdout, '');
  }
});

t.test('an internal failure exits 2 with a one-line message, never 1 and never a stack trace', async (t) => {
  const dir = tempDir(t);
  const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const deepStatefulSet = structuredClone(statefulSet);
  // [what, file name, content, output format, stderr pattern]
  const cases: [string, string, string, OutputFormat | undefined, RegExp][] = [
    ['a pod nested 100 000 levels deep, JSON output', 'deep-pod.json', deepPodText('x-deep', '['.repeat(100_000) + ']'.repeat(100_000)), 'json', /writing the json output/],
    ['a pod nested 2 000 levels deep, YAML output', 'deep-pod.json', deepPodText('x-deep', nested(2000)), 'yaml', /writing the yaml output/],
    ['a StatefulSet nested 5 000 levels deep', 'deep-sts.json', JSON.stringify(deepStatefulSet).replace('"template":{', `"template":{"x-deep":${nested(5000)},`), 'patch', /internal error while (injecting|writing)/],
  ];
  for (const [what, name, content, output, pattern] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const result = runFile(file, output);
    t.strictSame(result.code, 2, `${what}: exit 2`);
    t.match(result.stderr, /^error: INJECT_FAILED: internal error while /, `${what}: ${result.stderr.trim()}`);
    t.match(result.stderr, pattern);
    t.match(result.stderr, /nested too deeply/);
    t.strictSame(result.stderr.split('\n').filter((line) => line.startsWith('    at ')), [], `${what}: no stack trace`);
    t.strictSame(result.stdout, '', `${what}: nothing half-written on stdout`);
  }
  // The same pod with a patch as output is fine: only the rendering was too deep.
  const file = join(dir, 'deep-pod.json');
  writeFileSync(file, deepPodText('x-deep', nested(2000)));
  const patch = runFile(file, 'patch');
  t.strictSame(patch.code, 0, 'with --output patch the deep pod is injected');
  t.ok((JSON.parse(patch.stdout) as { path: string }[]).some((op) => op.path === '/spec/initContainers'));
});

t.test('the real command: exit statuses 0, 1 and 2 from the process, and no stack trace', async (t) => {
  const dir = tempDir(t);
  const main = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
  const loader = import.meta.resolve('@tapjs/typescript/import');
  const podFile = join(dir, 'pod.json');
  writeFileSync(podFile, JSON.stringify(pod));
  const deepFile = join(dir, 'deep.json');
  writeFileSync(deepFile, deepPodText('x-deep', '['.repeat(100_000) + ']'.repeat(100_000)));
  // [what, extra arguments, exit status, stderr pattern]
  const cases: [string, string[], number, RegExp][] = [
    ['injected', ['-f', podFile, '-o', 'patch'], 0, /^$/],
    ['denied', ['-f', podFile, '--set', 'pipeline.allowInitContainers=false'], 1, /^error: INIT_CONTAINERS_DISALLOWED: denied: /],
    ['internal failure', ['-f', deepFile], 2, /^error: INJECT_FAILED: /],
  ];
  for (const [what, args, status, pattern] of cases) {
    const run = spawnSync(process.execPath, [`--import=${loader}`, main, 'inject', ...args], { encoding: 'utf8', timeout: 60_000 });
    t.strictSame(run.status, status, `${what}: exit ${status}`);
    t.match(run.stderr, pattern, `${what}: ${run.stderr.trim().slice(0, 200)}`);
    t.notOk(/\n {4}at /.test(run.stderr), `${what}: no stack trace`);
  }
});
