// Where the recorder writes Events: the Kubernetes API in production (kube-sink.ts). An interface
// so the recorder's queue and series logic do not depend on client-node.
import type { Result } from '../errors.js';
import type { PlannedEvent } from './planned-event.js';

export interface SinkFailure {
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** Log-safe: the operation and what the API server said about it. */
  message: string;
}

export interface EventSink {
  create(event: PlannedEvent, name: string, eventTimeMs: number): Promise<Result<void, SinkFailure>>;
  patchSeries(namespace: string, name: string, count: number, lastObservedMs: number): Promise<Result<void, SinkFailure>>;
}
