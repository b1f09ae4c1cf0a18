// Slices of load on one server -> the figures the report prints.
import type { LoadResult } from './load-protocol.js';

export interface LoadSummary {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors, timeouts and non-2xx answers. */
  failed: number;
  /** Share of one core the server used while measured (1 = a full core). */
  serverCpu: number;
  /** Share of one core the load generator used: near 1 means it, not the server, may be the limit. */
  generatorCpu: number;
  /** Requests per CPU-second the server really got: robust to other work stealing its core. */
  requestsPerServerCpuSecond: number;
}

export function summarise(slices: readonly LoadResult[]): LoadSummary {
  const seconds = slices.reduce((sum, slice) => sum + slice.durationSeconds, 0);
  const serverCpu = slices.reduce((sum, slice) => sum + slice.serverCpuSeconds, 0);
  const generatorCpu = slices.reduce((sum, slice) => sum + slice.generatorCpuSeconds, 0);
  const merged = new Map<number, number>();
  for (const slice of slices) for (const [us, count] of slice.latencyUs) merged.set(us, (merged.get(us) ?? 0) + count);
  const histogram = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const requests = histogram.reduce((sum, [, count]) => sum + count, 0);
  return {
    requests,
    requestsPerSecond: requests / seconds,
    p50Ms: histogramPercentile(histogram, requests, 0.5) / 1000,
    p99Ms: histogramPercentile(histogram, requests, 0.99) / 1000,
    failed: slices.reduce((sum, slice) => sum + slice.errors + slice.timeouts + slice.non2xx, 0),
    serverCpu: serverCpu / seconds,
    generatorCpu: generatorCpu / seconds,
    requestsPerServerCpuSecond: requests / serverCpu,
  };
}

/** Nearest rank, like stats/percentile.ts, over sorted [value, count] pairs. */
function histogramPercentile(histogram: ReadonlyArray<readonly [number, number]>, total: number, p: number): number {
  const rank = Math.min(total, Math.max(1, Math.ceil(p * total)));
  let seen = 0;
  for (const [value, count] of histogram) {
    seen += count;
    if (seen >= rank) return value;
  }
  return Number.NaN;
}
