// Inputs to the decision benchmarks: the example review, the cost curve (pod size, sidecar count)
// and the slowest known inputs (slowest-inputs.ts). Each is built by name inside the child process
// that times it, so a body of 800 KB never crosses IPC and a crash takes only that child down.
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import type { CurveSeries, DecisionInput } from './decision-input.js';
import { exampleReviewText, reviewWithEnv, reviewWithSidecars } from './review-builder.js';
import { SLOWEST_KNOWN_INPUTS } from './slowest-inputs.js';

export type { CurveSeries, DecisionInput } from './decision-input.js';

export const CURVE_SERIES: Record<CurveSeries, { title: string; unit: string }> = {
  'pipeline-env': { title: 'pod size, env vars in the pipeline container (carried, diffed)', unit: 'KB' },
  'sidecar-env': { title: 'pod size, env vars in a declared sidecar (validated, rendered, hashed, patched)', unit: 'KB' },
  sidecars: { title: 'declared sidecars (the example ingest-sidecar repeated)', unit: 'sidecars' },
};

export const EXAMPLE_INPUT: DecisionInput = {
  name: 'example',
  what: 'the example review (test/fixtures/admission-review-pipeline-pod.json): 2 sidecars',
  review: exampleReviewText,
};

const KB = 1024;

export const CURVE_INPUTS: readonly DecisionInput[] = [
  { ...EXAMPLE_INPUT, name: 'pod-8kb', curve: { series: 'pipeline-env', x: 8 } },
  { name: 'pod-80kb', what: '1,500 env vars in the pipeline container', review: () => reviewWithEnv('pipeline', 1_500, 80 * KB), curve: { series: 'pipeline-env', x: 80 } },
  { name: 'pod-800kb', what: '15,000 env vars in the pipeline container', review: () => reviewWithEnv('pipeline', 15_000, 800 * KB), curve: { series: 'pipeline-env', x: 800 } },
  { ...EXAMPLE_INPUT, name: 'sidecar-env-8kb', curve: { series: 'sidecar-env', x: 8 } },
  // A declared sidecar stops at the limits (2,048 env entries, a 256 KiB annotation): 800 KB of
  // sidecar env is a LIMIT_EXCEEDED denial, not a point on this curve.
  { name: 'sidecar-env-40kb', what: '750 env vars in the declared ingest-sidecar', review: () => reviewWithEnv('sidecar', 750, 40 * KB), curve: { series: 'sidecar-env', x: 40 } },
  { name: 'sidecar-env-80kb', what: '1,500 env vars in the declared ingest-sidecar', review: () => reviewWithEnv('sidecar', 1_500, 80 * KB), curve: { series: 'sidecar-env', x: 80 } },
  { name: 'sidecar-env-limit', what: '2,000 env vars in the declared ingest-sidecar (near envPerSidecar)', review: () => reviewWithEnv('sidecar', 2_000, 107 * KB), curve: { series: 'sidecar-env', x: 107 } },
  { name: 'sidecars-1', what: '1 declared sidecar', review: () => reviewWithSidecars(1), curve: { series: 'sidecars', x: 1 } },
  { name: 'sidecars-8', what: '8 declared sidecars', review: () => reviewWithSidecars(8), curve: { series: 'sidecars', x: 8 } },
  { name: 'sidecars-32', what: '32 declared sidecars', review: () => reviewWithSidecars(32), curve: { series: 'sidecars', x: 32 } },
];

export const ALL_INPUTS: readonly DecisionInput[] = [EXAMPLE_INPUT, ...CURVE_INPUTS, ...SLOWEST_KNOWN_INPUTS];

export function inputNamed(name: string): DecisionInput {
  const input = ALL_INPUTS.find((candidate) => candidate.name === name);
  if (input === undefined) throw new Error(`no benchmark input named ${name}`);
  return input;
}

export function configOf(input: DecisionInput): Config {
  return input.config?.() ?? DEFAULT_CONFIG;
}
