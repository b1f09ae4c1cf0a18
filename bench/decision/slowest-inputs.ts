// THE HOOK for the slowest inputs known: every entry here is timed by `npm run bench` beside the
// cost curve, in its own child process (a crash, a thrown error or a decision slower than the
// time limit is reported as such, and the benchmark goes on), and its µs per KB is compared with
// the curve's. Add what the fuzzer finds: a builder below, or a saved body with reviewFromFile().
//
// The first entries are the pathological inputs issue 10 names. On the code of this commit they
// are slow (seconds for one decision) or throw (a 500 from /mutate, so with failurePolicy Fail a
// refused pod); keep them here after they are fixed, as the regression check.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import type { DecisionInput } from './decision-input.js';
import { exampleReview, nestedObjectText } from './review-builder.js';

/** A saved AdmissionReview body (e.g. a fuzzer's corpus entry), path relative to the repository root. */
export function reviewFromFile(path: string): () => string {
  return () => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
}

function withAllowedImages(patterns: string[]): () => Config {
  return () => ({ ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, allowedImages: { patterns, action: 'enforce' } } });
}

const WILDCARD_PATTERN = 'registry.example.com/*/*/*:stable';
const REGISTRY = 'registry.example.com/';

export const SLOWEST_KNOWN_INPUTS: readonly DecisionInput[] = [
  {
    name: 'image-2kb-vs-wildcards',
    what: `a 2 KB image (${REGISTRY} + slashes) against allowedImages ${WILDCARD_PATTERN}`,
    config: withAllowedImages([WILDCARD_PATTERN]),
    review: () =>
      exampleReview(({ runtimeConfig }) => {
        const sidecar = runtimeConfig.init_containers[1];
        if (sidecar !== undefined) sidecar.image = REGISTRY + '/'.repeat(2048 - REGISTRY.length);
      }),
  },
  {
    name: 'quantity-16000-digits',
    what: 'resources.requests.cpu: a 16,000-digit number followed by a letter',
    review: () =>
      exampleReview(({ runtimeConfig }) => {
        const sidecar = runtimeConfig.init_containers[0];
        if (sidecar !== undefined) sidecar.resources = { requests: { cpu: `${'1'.repeat(16_000)}x` } };
      }),
  },
  {
    name: 'nested-5000-in-sidecar',
    what: 'runtime_config with a sidecar field (securityContext) nested 5,000 levels deep',
    review: () =>
      exampleReview(
        ({ runtimeConfig }) => {
          const sidecar = runtimeConfig.init_containers[1];
          if (sidecar !== undefined) sidecar.securityContext = '@DEEP@';
        },
        (text) => text.replace('"@DEEP@"', nestedObjectText(5_000)),
      ),
  },
  {
    name: 'nested-5000-top-level',
    what: 'runtime_config with a field Feldera owns (dev_tweaks) nested 5,000 levels deep',
    review: () =>
      exampleReview(
        ({ runtimeConfig }) => {
          runtimeConfig.dev_tweaks = '@DEEP@';
        },
        (text) => text.replace('"@DEEP@"', nestedObjectText(5_000)),
      ),
  },
];
