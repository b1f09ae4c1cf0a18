// Aggregation like client-go's events.k8s.io EventRecorder: the same event (regarding object,
// reason, type, action, note) seen again within the window becomes a series on the Event already
// stored ({count, lastObservedTime} patched) instead of a new Event, so a StatefulSet whose pod
// creation is retried for hours keeps one Event with a growing count. The cache of recent events
// is a bounded LRU; losing an entry only means the next occurrence starts a new Event.
import type { PlannedEvent } from './planned-event.js';

export type EventWrite =
  | { kind: 'create'; key: string; name: string }
  | { kind: 'patch'; key: string; name: string; count: number; lastObservedMs: number };

interface Entry {
  name: string;
  count: number;
  lastObservedMs: number;
}

/** Object names are at most 253 characters; the suffix is a dot and up to 16 hex digits. */
const NAME_PREFIX_MAX = 253 - 17;

export function seriesKey(event: PlannedEvent): string {
  const r = event.regarding;
  // JSON of a fixed-order tuple: no separator can be forged by a name.
  return JSON.stringify([r.namespace, r.name, r.uid, event.reason, event.type, event.action, event.note]);
}

export class EventSeries {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #windowMs: number;
  #sequence = 0;

  constructor(max: number, windowMs: number) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What to write for this occurrence; the cache already counts it. */
  next(event: PlannedEvent, nowMs: number): EventWrite {
    const key = seriesKey(event);
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry !== undefined && nowMs - entry.lastObservedMs <= this.#windowMs) {
      entry.count += 1;
      entry.lastObservedMs = nowMs;
      this.#entries.set(key, entry);
      return { kind: 'patch', key, name: entry.name, count: entry.count, lastObservedMs: nowMs };
    }
    const name = this.#eventName(event, nowMs);
    this.#entries.set(key, { name, count: 1, lastObservedMs: nowMs });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return { kind: 'create', key, name };
  }

  /** The stored Event is gone or was never written: the next occurrence creates a new one. */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  /** client-go's naming: <regarding name>.<hex timestamp>, unique per recorder through a sequence. */
  #eventName(event: PlannedEvent, nowMs: number): string {
    this.#sequence = (this.#sequence + 1) % 1_000_000;
    const stamp = (BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(this.#sequence)).toString(16);
    return `${event.regarding.name.slice(0, NAME_PREFIX_MAX)}.${stamp}`;
  }
}
