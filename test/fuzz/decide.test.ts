// Property-based fuzzing of decide() (a short run; `npm run fuzz -- --runs N` is the long one).
import t from 'tap';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { parseReview } from '../../src/admission/review.js';
import { NO_CLUSTER } from '../../src/cluster/context.js';
import { decide } from '../../src/decide.js';
import type { JsonObject } from '../../src/json.js';
import { LIMITS } from '../../src/pipeline/limits.js';
import { ANNOTATION, BASE_REVIEW, review } from './arbitraries.js';
import { checkReview } from './properties.js';

const policed: Config = {
  ...DEFAULT_CONFIG,
  policy: {
    ...DEFAULT_CONFIG.policy,
    allowedImages: { patterns: ['registry.example.com/*/*/*:stable', 'ubuntu:*'], action: 'enforce' },
    resourceCaps: { requests: {}, limits: { cpu: '2', memory: '2Gi' }, action: 'warn' },
  },
};

for (const [name, config] of [['default config', DEFAULT_CONFIG], ['image allow-list and caps', policed], ['placement all', { ...DEFAULT_CONFIG, sidecars: { ...DEFAULT_CONFIG.sidecars, placement: 'all' as const } }]] as const) {
  t.test(`every invariant holds for generated reviews (${name})`, async (t) => {
    const result = fc.check(
      fc.property(review, (r) => checkReview(r, config).problems.length === 0),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) },
    );
    const counterexample = result.counterexample?.[0];
    t.strictSame(counterexample === undefined ? [] : checkReview(counterexample, config).problems, [], `seed ${result.seed}, ${result.numRuns} runs`);
  });
}

// Found by `npm run fuzz` (seed 192429525): a sidecar declaring env at its limit, plus the
// discovery variables the webhook adds. The limit bounds what is declared; the injected
// container carries the four variables on top and is still a valid result.
t.test('a sidecar with env at the declared limit is injected with the discovery variables on top', async (t) => {
  const raw = structuredClone(BASE_REVIEW);
  const pod = (raw.request as JsonObject).object as JsonObject;
  const annotations = (pod.metadata as JsonObject).annotations as JsonObject;
  const env = Array.from({ length: LIMITS.envPerSidecar }, (_, i) => ({ name: `V${i}`, value: 'x' }));
  annotations[ANNOTATION] = JSON.stringify({ init_containers: [{ name: 'example', image: 'ubuntu:24.04', env }] });
  const checked = checkReview(raw, DEFAULT_CONFIG);
  t.strictSame(checked.problems, []);
  const parsed = parseReview(raw);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const decision = decide(parsed.value, DEFAULT_CONFIG, NO_CLUSTER);
  t.strictSame(decision.code, 'INJECTED');
  const spec = (decision.mutated as JsonObject).spec as JsonObject;
  const sidecar = (spec.initContainers as JsonObject[]).find((c) => c.name === 'example');
  t.strictSame((sidecar?.env as unknown[]).length, LIMITS.envPerSidecar + 4, 'declared env and the four discovery variables');
});
