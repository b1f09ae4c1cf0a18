// The benchmark's printed report: each figure beside its target, so a regression reads at a glance.
import type { DecisionTiming } from './in-process.js';
import type { LoadSummary } from './load-summary.js';

export const TARGETS = {
  inProcessP99Us: 200,
  mutateOverNoop: 0.85,
  mutateP99Ms: 5,
} as const;

export interface Report {
  machine: string;
  /** 1-minute load average when the run ended: other work on the machine skews every figure. */
  loadAverage: number;
  fixture: string;
  fixtureBytes: number;
  decision: DecisionTiming;
  warmup: number;
  connections: number;
  secondsPerRoute: number;
  rounds: number;
  noop: LoadSummary;
  mutate: LoadSummary;
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function row(cells: string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
}

const WIDTHS = [14, 10, 9, 9, 8] as const;

function loadRow(name: string, l: LoadSummary): string {
  return row([name, l.requestsPerSecond.toFixed(0), l.p50Ms.toFixed(3), l.p99Ms.toFixed(3), String(l.failed)], WIDTHS);
}

export function formatReport(r: Report): string {
  const ratio = r.mutate.requestsPerSecond / r.noop.requestsPerSecond;
  const failed = r.mutate.failed + r.noop.failed;
  return [
    `feldera-sidecar-injector benchmark  (${r.machine}; load average ${r.loadAverage.toFixed(2)})`,
    `fixture: ${r.fixture} (${r.fixtureBytes} bytes)`,
    '',
    `In-process decision: parseReview + decide, ${r.decision.iterations} iterations after ${r.warmup} warm-up (outcome: ${r.decision.outcome})`,
    `  median  ${r.decision.medianUs.toFixed(1).padStart(8)} µs`,
    `  p99     ${r.decision.p99Us.toFixed(1).padStart(8)} µs    target ≤ ${TARGETS.inProcessP99Us} µs    ${verdict(r.decision.p99Us <= TARGETS.inProcessP99Us)}`,
    '',
    `HTTPS keep-alive on 127.0.0.1, ${r.connections} connections, same body, load generator in a child process;`,
    `${r.secondsPerRoute} s per route in ${r.rounds} alternating rounds, so background load hits both routes alike`,
    `  ${row(['route', 'req/s', 'p50 ms', 'p99 ms', 'failed'], WIDTHS)}`,
    `  ${loadRow('POST /noop', r.noop)}`,
    `  ${loadRow('POST /mutate', r.mutate)}`,
    '',
    `  /mutate ÷ no-op req/s  ${(ratio * 100).toFixed(1).padStart(6)} %     target ≥ ${TARGETS.mutateOverNoop * 100} %     ${verdict(ratio >= TARGETS.mutateOverNoop)}`,
    `  /mutate p99            ${r.mutate.p99Ms.toFixed(3).padStart(6)} ms    target ≤ ${TARGETS.mutateP99Ms} ms      ${verdict(r.mutate.p99Ms <= TARGETS.mutateP99Ms)}`,
    `  failed requests        ${String(failed).padStart(6)}       target 0          ${verdict(failed === 0)}`,
  ].join('\n');
}
