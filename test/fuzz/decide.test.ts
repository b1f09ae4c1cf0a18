// Property-based fuzzing of decide() (a short run; `npm run fuzz -- --runs N` is the long one).
import t from 'tap';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { review } from './arbitraries.js';
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
