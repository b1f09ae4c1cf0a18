// The decision benchmarks: the example review (the figure the target is about), the cost curve
// and the slowest known inputs, each input in its own child on the server core.
import { loadavg } from 'node:os';
import type { Launcher } from '../load/load-client.js';
import { linearFit, type LinearFit } from '../stats/linear-fit.js';
import { CURVE_INPUTS, CURVE_SERIES, EXAMPLE_INPUT, type CurveSeries, type DecisionInput } from './inputs.js';
import { SLOWEST_KNOWN_INPUTS } from './slowest-inputs.js';
import type { TimingBudget } from './timing.js';
import { timeInput, type TimingLimits, type TimingOutcome } from './timing-runner.js';

export interface InputResult {
  name: string;
  what: string;
  curve: DecisionInput['curve'];
  outcome: TimingOutcome;
  /** 1-, 5- and 15-minute load averages when it finished. */
  loadAverage: number[];
}

export interface SeriesFit {
  series: CurveSeries;
  title: string;
  unit: string;
  /** y is the CPU-time median (see DecisionTiming.cpuMedianUs). */
  points: Array<{ name: string; x: number; cpuMedianUs: number }>;
  fit: LinearFit;
}

export interface DecisionReport {
  example: InputResult;
  curve: InputResult[];
  slowest: InputResult[];
  fits: SeriesFit[];
  /** The largest CPU-median µs per KB on the curve: no input should cost more per KB. */
  boundUsPerKb: number;
}

export const EXAMPLE_BUDGET: TimingBudget = { warmupIterations: 2_000, warmupSeconds: 5, samples: 20_000, seconds: 20 };

/** CPU-time median per KB of body: the figure the bound is stated in. */
export function usPerKb(result: InputResult): number {
  return result.outcome.status === 'ok' ? result.outcome.timing.cpuMedianUs / (result.outcome.bytes / 1024) : Number.NaN;
}

async function run(launcher: Launcher, input: DecisionInput, budget: TimingBudget, limits: TimingLimits): Promise<InputResult> {
  process.stderr.write(`  decision: ${input.name}... `);
  const outcome = await timeInput(launcher, input.name, budget, limits);
  process.stderr.write(`${outcome.status === 'ok' ? `${outcome.timing.medianUs.toFixed(1)} µs median (CPU ${outcome.timing.cpuMedianUs.toFixed(1)} µs)` : outcome.status}\n`);
  return { name: input.name, what: input.what, curve: input.curve, outcome, loadAverage: loadavg() };
}

function fitSeries(curve: readonly InputResult[]): SeriesFit[] {
  return (Object.keys(CURVE_SERIES) as CurveSeries[]).map((series) => {
    const points = curve.flatMap((result) => {
      if (result.curve?.series !== series || result.outcome.status !== 'ok') return [];
      // Sizes by the bytes really built, not the nominal 8/80/800.
      const x = CURVE_SERIES[series].unit === 'KB' ? result.outcome.bytes / 1024 : result.curve.x;
      return [{ name: result.name, x, cpuMedianUs: result.outcome.timing.cpuMedianUs }];
    });
    return { series, ...CURVE_SERIES[series], points, fit: linearFit(points.map((p) => [p.x, p.cpuMedianUs] as const)) };
  });
}

export async function measureDecisions(
  launcher: Launcher,
  options: { curveBudget: TimingBudget; limits: TimingLimits; skipCurve: boolean },
): Promise<DecisionReport> {
  const example = await run(launcher, EXAMPLE_INPUT, EXAMPLE_BUDGET, options.limits);
  const curve: InputResult[] = [];
  const slowest: InputResult[] = [];
  if (!options.skipCurve) {
    for (const input of CURVE_INPUTS) curve.push(await run(launcher, input, options.curveBudget, options.limits));
    for (const input of SLOWEST_KNOWN_INPUTS) slowest.push(await run(launcher, input, options.curveBudget, options.limits));
  }
  const bound = Math.max(...curve.map(usPerKb).filter((value) => Number.isFinite(value)));
  return { example, curve, slowest, fits: fitSeries(curve), boundUsPerKb: bound };
}
