// The decision's own cost, without HTTP: parseReview + decide on a freshly decoded body each
// time (decoding is the HTTP layer's cost and is measured there).
import { parseReview } from '../src/admission/review.js';
import type { Config } from '../src/config/config.js';
import { decide } from '../src/decide.js';
import { percentile } from './percentile.js';

export interface DecisionTiming {
  iterations: number;
  medianUs: number;
  p99Us: number;
  outcome: string;
}

export function measureDecisionTime(bodyText: string, config: Config, warmup: number, iterations: number): DecisionTiming {
  const samples = new Float64Array(iterations);
  let outcome = '';
  for (let i = 0; i < warmup + iterations; i += 1) {
    const body: unknown = JSON.parse(bodyText);
    const start = process.hrtime.bigint();
    const review = parseReview(body);
    if (!review.ok) throw new Error(`the benchmark fixture is not a valid AdmissionReview: ${review.error.message}`);
    outcome = decide(review.value, config).outcome;
    const elapsed = process.hrtime.bigint() - start;
    if (i >= warmup) samples[i - warmup] = Number(elapsed) / 1000;
  }
  samples.sort();
  return { iterations, medianUs: percentile(samples, 0.5), p99Us: percentile(samples, 0.99), outcome };
}
