// The decision's own cost, without HTTP: parseReview + decide on a freshly decoded body each
// time (decoding is the HTTP layer's cost and is measured there). Bounded in samples and seconds.
import { NO_CLUSTER } from '../../src/cluster/context.js';
import { parseReview } from '../../src/admission/review.js';
import type { Config } from '../../src/config/config.js';
import { decide } from '../../src/decide.js';
import { percentile } from '../stats/percentile.js';

export interface TimingBudget {
  warmupIterations: number;
  warmupSeconds: number;
  samples: number;
  seconds: number;
}

export interface DecisionTiming {
  samples: number;
  /** Wall time: what a request waits. */
  medianUs: number;
  p99Us: number;
  maxUs: number;
  /**
   * CPU time of the process (getrusage, all threads) over the same decisions: not inflated when
   * other work on a shared machine takes the core away mid-decision, so it is what the fits use.
   */
  cpuMedianUs: number;
  cpuP99Us: number;
  outcome: string;
  reason: string;
}

/** Times one decision; throws what decide throws (the caller reports it). */
function once(bodyText: string, config: Config): { us: number; cpuUs: number; outcome: string; reason: string } {
  const body: unknown = JSON.parse(bodyText);
  // The rusage calls sit outside the wall-clock window, so they do not add to it.
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const review = parseReview(body);
  if (!review.ok) throw new Error(`not a valid AdmissionReview: ${review.error.message}`);
  const decision = decide(review.value, config, NO_CLUSTER);
  const us = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { us, cpuUs: cpu.user + cpu.system, outcome: decision.outcome, reason: decision.reason };
}

export async function timeDecisions(
  bodyText: string,
  config: Config,
  budget: TimingBudget,
  onFirst: (us: number) => Promise<void> = async () => {},
): Promise<DecisionTiming> {
  const first = once(bodyText, config);
  // Lets the caller report progress before the loop below holds the event loop.
  await onFirst(first.us);
  const warmupEnd = performance.now() + budget.warmupSeconds * 1000;
  for (let i = 1; i < budget.warmupIterations && performance.now() < warmupEnd; i += 1) once(bodyText, config);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  let last = first;
  const end = performance.now() + budget.seconds * 1000;
  while (samples.length < budget.samples && (samples.length === 0 || performance.now() < end)) {
    last = once(bodyText, config);
    samples.push(last.us);
    cpuSamples.push(last.cpuUs);
  }
  const sorted = Float64Array.from(samples).sort();
  const cpuSorted = Float64Array.from(cpuSamples).sort();
  return {
    samples: sorted.length,
    medianUs: percentile(sorted, 0.5),
    p99Us: percentile(sorted, 0.99),
    maxUs: sorted[sorted.length - 1] ?? Number.NaN,
    cpuMedianUs: percentile(cpuSorted, 0.5),
    cpuP99Us: percentile(cpuSorted, 0.99),
    outcome: last.outcome,
    reason: last.reason,
  };
}
