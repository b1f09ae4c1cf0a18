import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExplain } from '../../src/cli/explain.js';
import { DEFAULT_CONFIG } from '../../src/config/config.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'explain-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, json = false, config = DEFAULT_CONFIG): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runExplain(file, json, config, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { status, out, err };
}

t.test('exit status as inject: 0 allowed, 1 denied, 2 unusable', async (t) => {
  t.strictSame(run(join(fixtures, 'pipeline-statefulset.json')).status, 0);
  t.strictSame(run(join(fixtures, 'pipeline-statefulset.json'), false, { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } }).status, 1);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"kind": "Pod", "metadata": s3cr3t}');
  const bad = run(broken);
  t.strictSame(bad.status, 2);
  t.match(bad.err, `error: ${broken} is not valid JSON: an unexpected character at line 1, column`);
  t.strictSame(bad.err.includes('s3cr3t'), false, 'the input is never quoted');
  t.strictSame(run(join(dir, 'missing.json')).status, 2);
});

t.test('--output json is one object a tool can read', async (t) => {
  const { status, out } = run(join(fixtures, 'admission-review-pipeline-pod.json'), true);
  t.strictSame(status, 0);
  const e = JSON.parse(out) as { code: string; steps: { step: string }[]; patch: unknown[]; diff: string };
  t.strictSame(e.code, 'INJECTED');
  t.strictSame(e.steps.at(-1)?.step, 'answer');
  t.strictSame(e.patch.length > 0 && e.diff.includes('+  initContainers:'), true);
});

t.test('several documents: one trail each, the worst exit status', async (t) => {
  const multi = join(dir, 'multi.yaml');
  writeFileSync(multi, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {feldera.com/runtime-config: "{\\"init_containers\\": [{\\"name\\": \\"Bad\\"}]}"}}\nspec: {containers: [{name: pipeline, image: x}]}\n');
  const { status, out } = run(multi);
  t.strictSame(status, 1);
  t.strictSame(out.includes('document 1: kind "ConfigMap" has no pod template'), true);
  t.strictSame(out.includes('document 2: pod default/p: denied (denied, CONTAINER_INVALID)'), true);
});
