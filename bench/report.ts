// The benchmark's printed report: each figure beside its target, so a regression reads at a glance,
// and the load average beside every block (the machine is shared; figures move with it).
import { usPerKb, type DecisionReport, type InputResult, type SeriesFit } from './decision/cost-curve.js';
import type { HttpPlan, ServerFigures } from './http-comparison.js';

export const TARGETS = {
  inProcessP99Us: 100,
  mutateOverBareSameBytes: 0.85,
  mutateOverAgnhost: 2,
} as const;

export interface HttpSection {
  plan: HttpPlan;
  servers: ServerFigures[];
  /** Answer sizes in bytes, by server id. */
  answerBytes: Record<string, number>;
  /** Why agnhost is missing, when it is. */
  agnhostMissing: string | null;
  agnhostVersion: string;
  loadAverageEnd: number[];
}

export interface Report {
  machine: string;
  pinning: string;
  loadAverageStart: number[];
  fixture: string;
  fixtureBytes: number;
  decisions: DecisionReport;
  http: HttpSection | null;
  loadAverageEnd: number[];
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function la(values: readonly number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ');
}

function num(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
}

function decisionBlock(r: Report): string[] {
  const e = r.decisions.example;
  if (e.outcome.status !== 'ok') return [`In-process decision on the example review: ${e.outcome.status.toUpperCase()} ${describeFailure(e)}`];
  const t = e.outcome.timing;
  return [
    `In-process decision on the example review (${e.outcome.bytes} bytes): parseReview + decide on a freshly parsed body,`,
    `${t.samples} samples after warm-up, in a child process on the server core (outcome: ${t.outcome}; load average ${la(e.loadAverage)})`,
    `  median  ${num(t.medianUs).padStart(8)} µs   (CPU time ${num(t.cpuMedianUs)} µs)`,
    `  p99     ${num(t.p99Us).padStart(8)} µs   (CPU time ${num(t.cpuP99Us)} µs)    target ≤ ${TARGETS.inProcessP99Us} µs    ${verdict(t.p99Us <= TARGETS.inProcessP99Us)}`,
    '  (wall time is the figure; CPU time, not inflated by other work taking the core mid-decision, shows how much of it was the machine)',
  ];
}

const HTTP_WIDTHS = [30, 8, 7, 7, 6, 7, 7, 6, 9] as const;

function httpBlock(h: HttpSection): string[] {
  const by = (id: string): ServerFigures | undefined => h.servers.find((s) => s.id === id);
  const lines = [
    `HTTPS keep-alive on 127.0.0.1, ${h.plan.connections} connections, the example review as body, load generator ${h.plan.generator.name} (a fresh process per slice);`,
    `${h.plan.secondsPerServer} s per server after ${h.plan.warmupSeconds} s of warm-up, in ${h.plan.rounds} alternating rounds (order rotated each round)`,
    `  ${row(['server', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'answer', 'srv CPU', 'gen CPU', 'req/CPU-s'], HTTP_WIDTHS)}`,
  ];
  for (const s of h.servers) {
    const l = s.summary;
    const label = s.id === 'd' && h.agnhostVersion !== '' ? `${s.label} ${h.agnhostVersion.replace(/^app version /, '')}` : s.label;
    lines.push(
      `  ${row(
        [
          label,
          num(l.requestsPerSecond, 0),
          num(l.p50Ms, 2),
          num(l.p99Ms, 2),
          String(l.failed),
          `${h.answerBytes[s.id] ?? 0} B`,
          `${num(l.serverCpu * 100, 0)} %`,
          `${num(l.generatorCpu * 100, 0)} %`,
          num(l.requestsPerServerCpuSecond, 0),
        ],
        HTTP_WIDTHS,
      )}`,
    );
  }
  if (h.agnhostMissing !== null) lines.push(`  (d) agnhost: NOT MEASURED: ${h.agnhostMissing}`);
  lines.push(`  load average at the end of the rounds: ${la(h.loadAverageEnd)}`, '');
  const c = by('c');
  const ratio = (other: ServerFigures | undefined, key: 'requestsPerSecond' | 'requestsPerServerCpuSecond'): number =>
    c === undefined || other === undefined ? Number.NaN : c.summary[key] / other.summary[key];
  const b = by('b');
  const a = by('a');
  const d = by('d');
  const e = by('e');
  const overB = ratio(b, 'requestsPerSecond');
  const overD = ratio(d, 'requestsPerSecond');
  const failed = h.servers.reduce((sum, s) => sum + s.summary.failed, 0);
  const maxGenerator = Math.max(...h.servers.map((s) => s.summary.generatorCpu));
  lines.push(
    `  /mutate ÷ (b) req/s        ${num(overB * 100, 1).padStart(6)} %    target ≥ ${TARGETS.mutateOverBareSameBytes * 100} %   ${verdict(overB >= TARGETS.mutateOverBareSameBytes)}   (per server CPU-second: ${num(ratio(b, 'requestsPerServerCpuSecond') * 100, 1)} %)`,
    `  /mutate ÷ agnhost req/s    ${num(overD, 2).padStart(6)}      target ≥ ${TARGETS.mutateOverAgnhost}      ${d === undefined ? 'n/a ' : verdict(overD >= TARGETS.mutateOverAgnhost)}   (per server CPU-second: ${num(ratio(d, 'requestsPerServerCpuSecond'), 2)})`,
    `  (e) ÷ (b) req/s            ${num(e !== undefined && b !== undefined ? (e.summary.requestsPerSecond / b.summary.requestsPerSecond) * 100 : Number.NaN, 1).padStart(6)} %    (the most /mutate ÷ (b) can be on this server path, with a decision that costs nothing)`,
    `  (e) ÷ agnhost req/s        ${num(e !== undefined && d !== undefined ? e.summary.requestsPerSecond / d.summary.requestsPerSecond : Number.NaN, 2).padStart(6)}      (the most /mutate ÷ agnhost can be on this server path)`,
    `  /mutate ÷ (e) req/s        ${num(ratio(e, 'requestsPerSecond') * 100, 1).padStart(6)} %    (the share of /mutate's time per request that is not spent in decide())`,
    `  /mutate ÷ (a) req/s        ${num(ratio(a, 'requestsPerSecond') * 100, 1).padStart(6)} %    ((b) ÷ (a): ${num(b !== undefined && a !== undefined ? (b.summary.requestsPerSecond / a.summary.requestsPerSecond) * 100 : Number.NaN, 1)} %, the cost of sending the patch)`,
    `  failed requests            ${String(failed).padStart(6)}      target 0       ${verdict(failed === 0)}`,
    `  load generator CPU, max    ${num(maxGenerator * 100, 0).padStart(6)} %    (near 100 % it, not the server, would be the limit; srv CPU below ~95 % means the server was starved or idle)`,
  );
  return lines;
}

function describeFailure(result: InputResult): string {
  const o = result.outcome;
  if (o.status === 'threw') return `decide() threw ${o.error}`;
  if (o.status === 'timed out' || o.status === 'crashed') return o.detail;
  return '';
}

const INPUT_WIDTHS = [24, 7, 11, 11, 11, 9, 7, 10] as const;

function inputRow(result: InputResult): string {
  const o = result.outcome;
  const kb = num(o.bytes / 1024, 1);
  if (o.status !== 'ok') return `  ${row([result.name, kb, '', '', '', '', '', ''], INPUT_WIDTHS)}  ${o.status.toUpperCase()}: ${describeFailure(result)}`;
  const t = o.timing;
  return `  ${row([result.name, kb, num(t.medianUs), num(t.p99Us), num(t.cpuMedianUs), num(usPerKb(result), 2), String(t.samples), t.outcome], INPUT_WIDTHS)}`;
}

function fitLine(f: SeriesFit): string {
  if (f.points.length < 2) return `  ${f.title}: not enough points to fit`;
  const unit = f.unit === 'KB' ? 'KB' : 'sidecar';
  const last = f.points[f.points.length - 1];
  return (
    `  ${f.title}:\n    slope ${num(f.fit.slope, 3)} µs per ${unit}, intercept ${num(f.fit.intercept)} µs, R² ${num(f.fit.r2, 4)}; ` +
    `${last?.name ?? 'last'} measured ÷ extrapolated from the smaller ones: ${num(f.fit.lastOverExtrapolated, 2)} (1 = linear)`
  );
}

function curveBlock(d: DecisionReport): string[] {
  if (d.curve.length === 0) return ['Cost curve: skipped (--skip-curve)'];
  const header = `  ${row(['input', 'KB', 'median µs', 'p99 µs', 'CPU med µs', 'CPU µs/KB', 'samples', 'outcome'], INPUT_WIDTHS)}`;
  const lines = [
    'Cost curve: parseReview + decide by input, each input in its own child process on the server core',
    header,
    ...d.curve.map(inputRow),
    '  fits of the CPU-time median (least squares; CPU time because a shared machine inflates wall time unevenly):',
    ...d.fits.map(fitLine),
    `  load average after the curve: ${la(d.curve[d.curve.length - 1]?.loadAverage ?? [])}`,
    '',
    `Slowest known inputs (bench/decision/slowest-inputs.ts) against the curve's largest CPU µs/KB, ${num(d.boundUsPerKb, 2)} µs/KB:`,
    header,
  ];
  for (const result of d.slowest) {
    const perKb = usPerKb(result);
    const over = Number.isFinite(perKb) ? (perKb <= d.boundUsPerKb ? '   within' : `   OVER ×${num(perKb / d.boundUsPerKb, 0)}`) : '';
    lines.push(`${inputRow(result)}${over}`, `      ${result.what}`);
  }
  const bad = d.slowest.filter((r) => r.outcome.status !== 'ok' || !(usPerKb(r) <= d.boundUsPerKb)).length;
  lines.push(`  ${bad} of ${d.slowest.length} over the bound, failed or killed    target 0    ${verdict(bad === 0)}`);
  lines.push(`  load average after them: ${la(d.slowest[d.slowest.length - 1]?.loadAverage ?? [])}`);
  return lines;
}

export function formatReport(r: Report): string {
  return [
    `feldera-sidecar-injector benchmark  (${r.machine})`,
    `${r.pinning}; load average at start ${la(r.loadAverageStart)} (1, 5, 15 min): the machine is shared, figures move with it`,
    `fixture: ${r.fixture} (${r.fixtureBytes} bytes)`,
    '',
    ...decisionBlock(r),
    '',
    ...(r.http === null ? ['HTTPS comparison: skipped (--skip-http)'] : httpBlock(r.http)),
    '',
    ...curveBlock(r.decisions),
    '',
    `load average at the end: ${la(r.loadAverageEnd)}`,
  ].join('\n');
}
