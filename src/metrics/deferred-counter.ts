// A prom-client Counter whose label children count in plain numbers and hand them to prom-client
// when the registry is scraped. prom-client's own child (`counter.labels(...)`) validates and
// hashes its labels again on every inc(): a few microseconds per admission for the handful of
// counters each one touches. Here the hot path adds to a number, and the collect() hook, which
// prom-client calls before every exposition, applies what was added since.
import { Counter, type CounterConfiguration, type Registry } from 'prom-client';

export interface CounterChild {
  inc(value?: number): void;
}

export interface DeferredCounter {
  /** The child for these label values, in the order of labelNames; create children once, not per call. */
  child(...labelValues: string[]): CounterChild;
}

interface Pending {
  labelValues: string[];
  added: number;
}

export function deferredCounter(config: Omit<CounterConfiguration<string>, 'collect' | 'registers'>, registry: Registry): DeferredCounter {
  const pending: Pending[] = [];
  const counter: Counter<string> = new Counter({
    ...config,
    registers: [registry],
    collect() {
      for (const entry of pending) {
        if (entry.added === 0) continue;
        counter.labels(...entry.labelValues).inc(entry.added);
        entry.added = 0;
      }
    },
  });
  return {
    child(...labelValues) {
      const entry: Pending = { labelValues, added: 0 };
      pending.push(entry);
      // The series exists from the start (at 0), so rate() and absent() behave before the first count.
      if (labelValues.length > 0) counter.labels(...labelValues).inc(0);
      else counter.inc(0);
      return {
        inc(value = 1) {
          entry.added += value;
        },
      };
    },
  };
}
