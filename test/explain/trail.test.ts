// The trail explain prints, for each way decide() can end.
import { NO_CLUSTER } from '../../src/cluster/context.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReview } from '../../src/admission/review.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { decide } from '../../src/decide.js';
import { explainDecision, renderExplanation } from '../../src/explain/trail.js';
import type { JsonObject } from '../../src/json.js';

const base = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
const ANNOTATION = 'feldera.com/runtime-config';

function reviewWith(change: (pod: JsonObject) => void): JsonObject {
  const review = structuredClone(base);
  change((review.request as JsonObject).object as JsonObject);
  return review;
}
const annotations = (pod: JsonObject): JsonObject => (pod.metadata as JsonObject).annotations as JsonObject;
const runtime = (pod: JsonObject): JsonObject => JSON.parse(String(annotations(pod)[ANNOTATION])) as JsonObject;
const setRuntime = (pod: JsonObject, value: JsonObject): void => {
  annotations(pod)[ANNOTATION] = JSON.stringify(value);
};

const rows: [string, JsonObject, Config, string, [string, string][]][] = [
  ['injected', base, DEFAULT_CONFIG, 'INJECTED', [['select', 'pass'], ['source', 'info'], ['read', 'pass'], ['namespace', 'info'], ['switch', 'pass'], ['validate', 'pass'], ['policy', 'pass'], ['placement', 'pass'], ['answer', 'pass']]],
  ['not a pipeline pod', reviewWith((p) => delete annotations(p)[ANNOTATION]), DEFAULT_CONFIG, 'NO_RUNTIME_CONFIG', [['select', 'skip'], ['answer', 'pass']]],
  ['opted out', reviewWith((p) => (annotations(p)['sidecar.feldera.com/inject'] = 'false')), DEFAULT_CONFIG, 'OPTED_OUT', [['select', 'pass'], ['source', 'info'], ['select', 'warn'], ['read', 'pass'], ['answer', 'pass']]],
  ['broken JSON', reviewWith((p) => (annotations(p)[ANNOTATION] = '{"init_containers": [')), DEFAULT_CONFIG, 'RUNTIME_CONFIG_INVALID', [['select', 'pass'], ['source', 'info'], ['read', 'deny'], ['answer', 'deny']]],
  ['forbidden', base, { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } }, 'INIT_CONTAINERS_DISALLOWED', [['select', 'pass'], ['source', 'info'], ['read', 'pass'], ['namespace', 'info'], ['switch', 'deny'], ['answer', 'deny']]],
  ['invalid container', reviewWith((p) => setRuntime(p, { ...runtime(p), init_containers: [{ name: 'x' }] })), DEFAULT_CONFIG, 'CONTAINER_INVALID', [['select', 'pass'], ['source', 'info'], ['read', 'pass'], ['namespace', 'info'], ['switch', 'pass'], ['validate', 'deny'], ['answer', 'deny']]],
  [
    'policy warns',
    base,
    { ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, allowedImages: { patterns: ['ubuntu:*'], action: 'warn' } } },
    'INJECTED',
    [['select', 'pass'], ['source', 'info'], ['read', 'pass'], ['namespace', 'info'], ['switch', 'pass'], ['validate', 'pass'], ['policy', 'warn'], ['placement', 'pass'], ['answer', 'pass']],
  ],
  ['collision', reviewWith((p) => setRuntime(p, { ...runtime(p), init_containers: [{ name: 'pipeline', image: 'x:1' }] })), DEFAULT_CONFIG, 'CONTAINER_COLLISION', [['select', 'pass'], ['source', 'info'], ['read', 'pass'], ['namespace', 'info'], ['switch', 'pass'], ['validate', 'pass'], ['policy', 'pass'], ['placement', 'deny'], ['answer', 'deny']]],
];

for (const [what, raw, config, code, steps] of rows) {
  t.test(what, async (t) => {
    const parsed = parseReview(raw);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const decision = decide(parsed.value, config, NO_CLUSTER);
    const e = explainDecision(decision, parsed.value.request.object, config);
    t.strictSame(e.code, code);
    t.strictSame(e.steps.map((s) => [s.step, s.verdict]), steps);
    t.strictSame(e.allowed, decision.review.response.allowed);
    t.strictSame(e.message, decision.review.response.allowed ? null : decision.review.response.status?.message);
    t.strictSame(e.diff === '', decision.ops.length === 0, 'a diff exactly when something changes');
    const text = renderExplanation(e);
    t.strictSame(text.startsWith(`pod ${e.namespace}/${e.pod}: ${e.allowed ? 'allowed' : 'denied'}`), true);
    t.strictSame(text.split('\n').some((line) => line.includes('max_buffering_delay_usecs')), false, 'the runtime-config annotation, a kilobyte line, is cut short in the diff');
  });
}
