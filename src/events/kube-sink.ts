// The EventSink over events.k8s.io/v1 with @kubernetes/client-node: create an Event, or merge-patch
// the series of one already stored. The chart grants exactly these two verbs.
import { EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type EventsV1Event, type KubeConfig } from '@kubernetes/client-node';
import { httpStatus } from '../cert-controller/kube-errors.js';
import { fail, ok, type Result } from '../errors.js';
import { REPORTING_CONTROLLER } from './planned-event.js';
import type { EventSink, SinkFailure } from './sink.js';

/** An Event is worth little minutes late; a hung API server must not hold the queue. */
export const EVENT_REQUEST_TIMEOUT_MS = 10_000;

export function kubeEventSink(kubeConfig: KubeConfig, timeoutMs = EVENT_REQUEST_TIMEOUT_MS): EventSink {
  const api = kubeConfig.makeApiClient(EventsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    create(event, name, eventTimeMs) {
      const { regarding } = event;
      const body: EventsV1Event = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: regarding.namespace },
        regarding: { ...regarding },
        reason: event.reason,
        type: event.type,
        action: event.action,
        note: event.note,
        eventTime: new V1MicroTime(eventTimeMs),
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: event.reportingInstance,
      };
      const what = `create event ${regarding.namespace}/${name} (${event.reason} on statefulset ${regarding.name})`;
      return call(() => api.createNamespacedEvent({ namespace: regarding.namespace, body }), what, timeoutMs);
    },
    patchSeries(namespace, name, count, lastObservedMs) {
      const body = { series: { count, lastObservedTime: new V1MicroTime(lastObservedMs) } };
      const what = `patch the series of event ${namespace}/${name} (count ${count})`;
      return call(() => api.patchNamespacedEvent({ namespace, name, body }, mergePatch), what, timeoutMs);
    },
  };
}

async function call(request: () => Promise<unknown>, what: string, timeoutMs: number): Promise<Result<void, SinkFailure>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    await Promise.race([request(), timeout]);
    return ok(undefined);
  } catch (error) {
    const status = httpStatus(error);
    const hint = status === 403 ? ': forbidden; the service account needs create and patch on events.k8s.io events' : '';
    const detail = status === null ? (error instanceof Error ? error.message : String(error)) : `HTTP ${status}`;
    return fail({ status, message: `cannot ${what}: ${detail}${hint}` });
  } finally {
    clearTimeout(timer);
  }
}
