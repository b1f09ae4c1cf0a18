// The soak's report: one row per minute (latency of what was scheduled in it, the server's RSS,
// heap, event-loop delay and CPU), then the verdict on RSS growth after warm-up.
import { linearFit } from '../stats/linear-fit.js';
import { percentile } from '../stats/percentile.js';
import type { Sample } from './sampler.js';
import type { SoakWindow } from './soak-protocol.js';
import { MIX } from './traffic.js';

export const RSS_TARGET_MIB = 128;
/** Fitted RSS growth over the post-warm-up window that still counts as flat: the larger of the two. */
export const FLAT_GROWTH = { mib: 2, shareOfMean: 0.02 } as const;

const MIB = 1024 * 1024;

export interface SoakReportInput {
  rate: number;
  minutes: number;
  connections: number;
  windowSeconds: number;
  warmupMinutes: number;
  windows: SoakWindow[];
  samples: Sample[];
  generatorCpuSeconds: number;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  pinning: string;
}

export interface RssVerdict {
  samples: number;
  meanMib: number;
  maxMib: number;
  slopeMibPerMinute: number;
  growthMib: number;
  flat: boolean;
  withinTarget: boolean;
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

function max(values: number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

export function rssVerdict(samples: readonly Sample[], warmupMinutes: number): RssVerdict {
  const after = samples.filter((s) => s.at >= warmupMinutes * 60 && Number.isFinite(s.rssBytes));
  const points = after.map((s) => [s.at / 60, s.rssBytes / MIB] as const);
  const fit = linearFit(points);
  const meanMib = points.reduce((sum, [, y]) => sum + y, 0) / Math.max(1, points.length);
  const span = points.length < 2 ? 0 : (points[points.length - 1]?.[0] ?? 0) - (points[0]?.[0] ?? 0);
  const growthMib = fit.slope * span;
  const allMax = max(samples.map((s) => s.rssBytes)) / MIB;
  return {
    samples: points.length,
    meanMib,
    maxMib: allMax,
    slopeMibPerMinute: fit.slope,
    growthMib,
    flat: points.length >= 2 && growthMib <= Math.max(FLAT_GROWTH.mib, FLAT_GROWTH.shareOfMean * meanMib),
    withinTarget: allMax <= RSS_TARGET_MIB,
  };
}

export function formatSoakReport(r: SoakReportInput): string {
  const lines = [
    `feldera-sidecar-injector soak: ${r.minutes} min at ${r.rate} req/s (open loop, ${r.connections} keep-alive connections), /mutate of the real server`,
    `mix per 20 requests: ${MIX.map(([kind, n]) => `${n} ${kind}`).join(', ')}; every pipeline pod new (uid, pipeline id, name)`,
    `${r.pinning}; load average at start ${r.loadAverageStart.map((l) => l.toFixed(2)).join(' ')} (the machine is shared)`,
    '',
    ' min  requests  failed   p50 ms   p99 ms   max ms   RSS MiB (end/max)  heap MiB  loop p99 ms  loop max ms  srv CPU  load 1m',
  ];
  for (const w of r.windows) {
    const from = w.index * r.windowSeconds;
    const to = from + r.windowSeconds;
    const inside = r.samples.filter((s) => s.at > from && s.at <= to);
    const sorted = Float64Array.from(w.latenciesMs).sort();
    const failed = Object.values(w.failed).reduce((a, b) => a + b, 0);
    const last = inside[inside.length - 1];
    const cpu = inside.reduce((sum, s) => sum + s.cpu, 0) / Math.max(1, inside.length);
    lines.push(
      [
        String(w.index + 1).padStart(4),
        String(sorted.length).padStart(9),
        String(failed).padStart(7),
        percentile(sorted, 0.5).toFixed(2).padStart(8),
        percentile(sorted, 0.99).toFixed(2).padStart(8),
        (sorted[sorted.length - 1] ?? Number.NaN).toFixed(1).padStart(8),
        `${last === undefined ? 'n/a' : mib(last.rssBytes)} / ${mib(max(inside.map((s) => s.rssBytes)))}`.padStart(18),
        (last === undefined ? 'n/a' : mib(last.heapUsedBytes)).padStart(9),
        max(inside.map((s) => s.eventLoopP99Ms)).toFixed(2).padStart(12),
        max(inside.map((s) => s.eventLoopMaxMs)).toFixed(2).padStart(12),
        `${(cpu * 100).toFixed(0)} %`.padStart(8),
        (last?.loadAverage1 ?? Number.NaN).toFixed(2).padStart(8),
      ].join(' '),
    );
    if (w.firstFailure !== null) lines.push(`      first failure: ${w.firstFailure}`);
    if (w.late > 0) lines.push(`      ${w.late} requests left more than 10 ms late (the load generator fell behind)`);
  }
  const v = rssVerdict(r.samples, r.warmupMinutes);
  const failed = r.windows.reduce((sum, w) => sum + Object.values(w.failed).reduce((a, b) => a + b, 0), 0);
  const total = r.windows.reduce((sum, w) => sum + w.latenciesMs.length, 0);
  const allowed = Math.max(FLAT_GROWTH.mib, FLAT_GROWTH.shareOfMean * v.meanMib);
  lines.push(
    '',
    `requests answered ${total}, wrong or failed ${failed}    target 0    ${failed === 0 ? 'PASS' : 'MISS'}`,
    `RSS after ${r.warmupMinutes} min of warm-up (${v.samples} samples, every ${r.samples.length > 1 ? ((r.samples[1]?.at ?? 0) - (r.samples[0]?.at ?? 0)).toFixed(0) : '?'} s):`,
    `  mean ${v.meanMib.toFixed(1)} MiB; least-squares slope ${v.slopeMibPerMinute.toFixed(3)} MiB/min = ${v.growthMib.toFixed(2)} MiB over the window`,
    v.samples < 2
      ? `  not judged: the run is no longer than its warm-up (use --minutes 3 or more)`
      : `  judged not growing when that fitted growth is at most ${allowed.toFixed(1)} MiB (the larger of ${FLAT_GROWTH.mib} MiB and ${FLAT_GROWTH.shareOfMean * 100} % of the mean)    ${v.flat ? 'PASS' : 'MISS'}`,
    `  max RSS over the whole run ${v.maxMib.toFixed(1)} MiB    target ≤ ${RSS_TARGET_MIB} MiB    ${v.withinTarget ? 'PASS' : 'MISS'}`,
    `load generator CPU ${(r.generatorCpuSeconds / (r.minutes * 60) * 100).toFixed(0)} % of its core; load average at the end ${r.loadAverageEnd.map((l) => l.toFixed(2)).join(' ')}`,
  );
  return lines.join('\n');
}
