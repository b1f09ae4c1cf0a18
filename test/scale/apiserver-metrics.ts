// Histograms from kube-apiserver's own /metrics (Prometheus text): the admission webhook latency
// the apiserver measured for our webhook, and its pod-create request latency, diffed between two
// scrapes so a burst is measured alone.
import type { ControlPlane } from '../e2e/cluster/index.js';

export const WEBHOOK_DURATION = 'apiserver_admission_webhook_admission_duration_seconds';
export const REQUEST_DURATION = 'apiserver_request_duration_seconds';

export interface Histogram {
  /** Upper bound (seconds; Infinity for +Inf) -> cumulative count. */
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

export async function scrapeMetrics(cp: ControlPlane): Promise<string> {
  const res = await cp.rest.get('/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  return res.text;
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1] as string] = match[2] as string;
  return labels;
}

/** Sums every series of `metric` whose labels include `match` (e.g. all operations of one webhook). */
export function histogram(text: string, metric: string, match: Record<string, string>): Histogram {
  const result: Histogram = { buckets: new Map(), count: 0, sum: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    if (open < 0 || close < open) continue;
    const name = line.slice(0, open);
    const labels = labelsOf(line.slice(open + 1, close));
    if (!Object.entries(match).every(([key, value]) => labels[key] === value)) continue;
    const value = Number(line.slice(close + 1).trim());
    if (name === `${metric}_bucket`) {
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      result.buckets.set(le, (result.buckets.get(le) ?? 0) + value);
    } else if (name === `${metric}_count`) result.count += value;
    else if (name === `${metric}_sum`) result.sum += value;
  }
  return result;
}

export function minus(after: Histogram, before: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [le, count] of after.buckets) buckets.set(le, count - (before.buckets.get(le) ?? 0));
  return { buckets, count: after.count - before.count, sum: after.sum - before.sum };
}

/** Share of the observations at or below `le` seconds (a bucket bound the metric has). */
export function shareWithin(h: Histogram, le: number): number {
  const within = h.buckets.get(le);
  if (within === undefined) throw new Error(`the histogram has no bucket le=${le} (bounds: ${[...h.buckets.keys()].join(', ')})`);
  return h.count === 0 ? Number.NaN : within / h.count;
}

export function meanMs(h: Histogram): number {
  return h.count === 0 ? Number.NaN : (h.sum / h.count) * 1000;
}

/** "le ≤ 5 ms: 99.2 %, ≤ 25 ms: 100 %" style line of the cumulative buckets up to maxLe. */
export function describeBuckets(h: Histogram, maxLe = 0.1): string {
  return [...h.buckets.entries()]
    .filter(([le]) => le <= maxLe)
    .sort(([a], [b]) => a - b)
    .map(([le, count]) => `≤ ${le * 1000} ms: ${h.count === 0 ? 'n/a' : ((count / h.count) * 100).toFixed(1)} %`)
    .join(', ');
}
