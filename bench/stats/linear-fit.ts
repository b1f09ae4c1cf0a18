// Least-squares line through (x, y) points: the slope of a cost curve and how far from a line it is.

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination (1 = every point on the line). */
  r2: number;
  /**
   * The last point's y divided by the line through the others, extrapolated: 1 when the cost grows
   * linearly, well above 1 when it grows faster (the point of a cost curve). NaN with < 3 points.
   */
  lastOverExtrapolated: number;
}

function leastSquares(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export function linearFit(points: ReadonlyArray<readonly [number, number]>): LinearFit {
  if (points.length < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, lastOverExtrapolated: Number.NaN };
  const { slope, intercept } = leastSquares(points);
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const total = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const residual = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0);
  let lastOverExtrapolated = Number.NaN;
  if (points.length >= 3) {
    const sorted = [...points].sort((p, q) => p[0] - q[0]);
    const last = sorted[sorted.length - 1] as readonly [number, number];
    const head = leastSquares(sorted.slice(0, -1));
    lastOverExtrapolated = last[1] / (head.intercept + head.slope * last[0]);
  }
  return { slope, intercept, r2: total === 0 ? 1 : 1 - residual / total, lastOverExtrapolated };
}
