// Slices of load on one server -> the figures the report prints.
import type { LoadResult } from './load-protocol.js';
import { percentile } from '../stats/percentile.js';

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
  const latencies = Float64Array.from(slices.flatMap((slice) => slice.latenciesMs)).sort();
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failed: slices.reduce((sum, slice) => sum + slice.errors + slice.timeouts + slice.non2xx, 0),
    serverCpu: serverCpu / seconds,
    generatorCpu: generatorCpu / seconds,
    requestsPerServerCpuSecond: latencies.length / serverCpu,
  };
}
