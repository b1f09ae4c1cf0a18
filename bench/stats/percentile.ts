// Nearest-rank percentile: the value at or below which p of the samples fall, never interpolated,
// so a reported p99 is a latency that was really observed.
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
