// Which Event, if any, an admission decision records on the pod's StatefulSet. Pure: the decision
// and the pod in, a plain description out; the recorder posts it off the admission path.
import type { Decision, ReasonCode } from '../decide.js';
import type { JsonObject } from '../json.js';
import { owningStatefulSet, type ObjectReference } from './owner.js';

export type EventReason = 'SidecarsInjected' | 'SidecarInjectionDenied' | 'SidecarInjectionSkipped';

export const REPORTING_CONTROLLER = 'sidecar.feldera.com/injector';

/**
 * Skips that still deserve a Warning on the StatefulSet when the answer carries a warning: the
 * pipeline declared sidecars and starts without them. One list so a new skip code is one line.
 */
export const SKIP_CODES_WITH_EVENT: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['OPTED_OUT', 'CONFIG_MAP_MISSING']);

export interface PlannedEvent {
  regarding: ObjectReference;
  reason: EventReason;
  type: 'Normal' | 'Warning';
  /** What the apiserver stores as `action` (events.k8s.io/v1 requires one). */
  action: 'Inject' | 'Deny' | 'Skip';
  note: string;
  /** The pod's name: which replica of the StatefulSet the admission was for. */
  reportingInstance: string;
}

/** events.k8s.io/v1 validation limits: note 1 KiB, reportingInstance 128 characters. */
export const NOTE_MAX = 1024;
export const INSTANCE_MAX = 128;

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export function plannedEvent(decision: Decision, pod: JsonObject | null): PlannedEvent | null {
  // Dry runs must change nothing (the webhook is registered sideEffects: NoneOnDryRun).
  if (decision.dryRun || pod === null) return null;
  const regarding = owningStatefulSet(pod, decision.namespace);
  if (regarding === null) return null;
  const base = { regarding, reportingInstance: bounded(decision.pod, INSTANCE_MAX) };
  const response = decision.review.response;
  if (decision.outcome === 'injected' && decision.injected.length > 0) {
    const note = `pod ${decision.pod}: injected sidecars ${decision.injected.join(', ')}`;
    return { ...base, reason: 'SidecarsInjected', type: 'Normal', action: 'Inject', note: bounded(note, NOTE_MAX) };
  }
  if (decision.outcome === 'denied') {
    // The denial message is ours and names fields, never values (messages.ts).
    const note = `pod ${decision.pod} refused: ${response.status?.message ?? decision.code}`;
    return { ...base, reason: 'SidecarInjectionDenied', type: 'Warning', action: 'Deny', note: bounded(note, NOTE_MAX) };
  }
  const warnings = response.warnings ?? [];
  if (decision.outcome === 'skipped' && SKIP_CODES_WITH_EVENT.has(decision.code) && warnings.length > 0) {
    const note = `pod ${decision.pod} admitted without sidecars: ${warnings.join('; ')}`;
    return { ...base, reason: 'SidecarInjectionSkipped', type: 'Warning', action: 'Skip', note: bounded(note, NOTE_MAX) };
  }
  return null;
}
