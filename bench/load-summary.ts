// Slices of load on one route -> the figures the report prints.
import type { LoadResult } from './load-protocol.js';
import { percentile } from './percentile.js';

export interface LoadSummary {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors, timeouts and non-2xx answers. */
  failed: number;
}

export function summarise(slices: readonly LoadResult[]): LoadSummary {
  const seconds = slices.reduce((sum, slice) => sum + slice.durationSeconds, 0);
  const latencies = Float64Array.from(slices.flatMap((slice) => slice.latenciesMs)).sort();
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failed: slices.reduce((sum, slice) => sum + slice.errors + slice.timeouts + slice.non2xx, 0),
  };
}
