// Records the Event of each admission off the critical path: record() only plans the event (pure)
// and queues it; one async worker writes the queue in order. The answer never waits for the API,
// and nothing the API does reaches the answer. The queue is bounded: when the API is slower than
// admissions, the oldest events are dropped and counted.
import type { Logger } from 'pino';
import type { Decision } from '../decide.js';
import type { JsonObject } from '../json.js';
import { plannedEvent, type PlannedEvent } from './planned-event.js';
import { EventSeries } from './series.js';
import type { EventSink, SinkFailure } from './sink.js';

export type EventResult = 'created' | 'series_updated' | 'failed' | 'dropped';

export interface EventRecorderOptions {
  sink: EventSink;
  logger: Logger;
  recordEvent(result: EventResult): void;
  queueSize: number;
  /** Same event within this window: the stored Event's series grows instead of a new Event. */
  seriesWindowMs: number;
  /** Recent events remembered for aggregation (LRU). */
  cacheSize: number;
  now?: () => number;
}

export interface EventRecorder {
  /** Never throws and never waits: the admission calls it after its answer is computed. */
  record(decision: Decision, pod: JsonObject | null): void;
  /** Resolves when the queue is empty and nothing is being written (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops taking new events; gives the queue up to graceMs to be written. */
  close(graceMs?: number): Promise<void>;
}

interface Queued {
  event: PlannedEvent;
  atMs: number;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { sink, recordEvent, queueSize } = options;
  const log = options.logger.child({ component: 'events' });
  const now = options.now ?? Date.now;
  const series = new EventSeries(options.cacheSize, options.seriesWindowMs);
  const queue: Queued[] = [];
  let working: Promise<void> | null = null;
  let closed = false;
  let lastProblem = '';

  const failed = (failure: SinkFailure): void => {
    recordEvent('failed');
    // A missing RBAC rule fails every write the same way: log when the problem starts or changes.
    const problem = `${failure.status ?? 'none'}`;
    if (problem === lastProblem) log.debug({ status: failure.status }, failure.message);
    else log.warn({ status: failure.status }, failure.message);
    lastProblem = problem;
  };
  const succeeded = (result: 'created' | 'series_updated'): void => {
    recordEvent(result);
    if (lastProblem !== '') log.info('events recorded again');
    lastProblem = '';
  };

  const create = async (item: Queued, key: string, name: string): Promise<void> => {
    const created = await sink.create(item.event, name, item.atMs);
    if (created.ok) return succeeded('created');
    series.forget(key);
    failed(created.error);
  };

  const write = async (item: Queued): Promise<void> => {
    const next = series.next(item.event, item.atMs);
    if (next.kind === 'create') return create(item, next.key, next.name);
    const patched = await sink.patchSeries(item.event.regarding.namespace, next.name, next.count, next.lastObservedMs);
    if (patched.ok) return succeeded('series_updated');
    if (patched.error.status === 404) {
      // The Event expired (the apiserver's --event-ttl) or was deleted: start a new one.
      series.forget(next.key);
      const fresh = series.next(item.event, item.atMs);
      return create(item, fresh.key, fresh.name);
    }
    failed(patched.error);
  };

  const drain = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await write(item);
      } catch (error) {
        // A sink must answer Results; anything thrown is a bug, logged, and the worker goes on.
        recordEvent('failed');
        log.error({ reason: error instanceof Error ? error.message : String(error) }, 'event write failed unexpectedly');
      }
    }
  };

  const kick = (): void => {
    working ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        working = null;
        if (queue.length > 0 && !closed) kick();
      });
  };

  const idle = async (): Promise<void> => {
    while (working !== null) await working;
  };

  return {
    record(decision, pod) {
      if (closed) return;
      try {
        const event = plannedEvent(decision, pod);
        if (event === null) return;
        queue.push({ event, atMs: now() });
        if (queue.length > queueSize) {
          queue.shift();
          recordEvent('dropped');
        }
        kick();
      } catch (error) {
        log.error({ reason: error instanceof Error ? error.message : String(error) }, 'cannot plan the event of an admission');
      }
    },
    idle,
    async close(graceMs = 2000) {
      closed = true;
      const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([idle(), timer]);
      if (queue.length > 0) log.warn({ unwritten: queue.length }, 'events not written before shutdown');
    },
  };
}
