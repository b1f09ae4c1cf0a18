// POST /mutate without HTTP: body -> parseReview -> decide -> answer, plus the one log line and
// the metrics for each admission. Kept free of fastify so the hot path is plain function calls.
import type { Logger } from 'pino';
import { errored, review as reviewResponse } from '../admission/response.js';
import { parseReview, USERNAME_MAX, type AdmissionReview } from '../admission/review.js';
import type { ClusterContext } from '../cluster/context.js';
import type { Config } from '../config/config.js';
import type { Decision } from '../decide.js';
import type { EventRecorder } from '../events/recorder.js';
import { isObject } from '../json.js';
import type { Metrics } from '../metrics/registry.js';
import { failureLogFields } from './failure-log.js';

export type DecideFunction = (review: AdmissionReview, config: Config, context: ClusterContext) => Decision;

/**
 * What /mutate sends: the status and the JSON text. Serialised here, inside the same guard as
 * decide(), so that even a decision that cannot be serialised is answered as an AdmissionReview.
 */
export interface AdmissionAnswer {
  status: 200 | 400;
  json: string;
}

export interface AdmissionHandlerOptions {
  /** The configuration for this admission: read once per request, so a reload never lands mid-decision. */
  config: () => Config;
  decide: DecideFunction;
  /** What is known of the cluster (informer caches); NO_CLUSTER when the server watches none. */
  context: ClusterContext;
  logger: Logger;
  metrics: Metrics;
  /** Events on the pipeline's StatefulSet; null when events are off. */
  events: EventRecorder | null;
}

/** Returns the handler; `startedAt` is performance.now() when the request arrived. */
export function createAdmissionHandler(options: AdmissionHandlerOptions): (body: unknown, startedAt: number) => AdmissionAnswer {
  const { config, decide, logger, metrics, events, context } = options;

  return (body, startedAt) => {
    const parsed = parseReview(body);
    if (!parsed.ok) {
      metrics.recordInvalidRequest(parsed.error.code);
      logger.warn(
        { uid: uidOf(body), user: usernameOf(body), code: parsed.error.code, reason: parsed.error.message },
        'admission request refused',
      );
      return { status: 400, json: JSON.stringify({ error: parsed.error }) };
    }
    const review = parsed.value;
    const request = review.request;
    try {
      const decision = decide(review, config(), context);
      const json = JSON.stringify(decision.review);
      const ms = performance.now() - startedAt;
      metrics.recordAdmission(decision.outcome, decision.code, decision.dryRun, decision.injected.length, ms / 1000);
      if (!decision.dryRun && decision.details.verdict !== undefined) metrics.recordPolicyVerdicts(decision.details.verdict.rules);
      // Queued only: the answer is already computed and does not wait for the API.
      events?.record(decision, request.object);
      // Never the body, the annotation or env values: only what identifies the pod, who asked and the verdict.
      logger.info(
        {
          uid: request.uid,
          user: request.username ?? '',
          namespace: decision.namespace,
          pod: decision.pod,
          operation: request.operation,
          decision: decision.outcome,
          code: decision.code,
          reason: decision.reason,
          injected: decision.injected,
          dryRun: decision.dryRun,
          durationMs: roundMs(ms),
        },
        'admission',
      );
      return { status: 200, json };
    } catch (error) {
      // Our bug, on a review we could read: answered as a review (controller-runtime's Errored) so
      // kube-apiserver shows why, and logged here once with the stack.
      const ms = performance.now() - startedAt;
      metrics.recordAdmission('error', 'INTERNAL_ERROR', request.dryRun, 0, ms / 1000);
      metrics.recordInternalError();
      logger.error(
        {
          failure: failureLogFields(error),
          uid: request.uid,
          user: request.username ?? '',
          namespace: request.namespace ?? '',
          pod: request.name ?? '',
          operation: request.operation,
          decision: 'error',
          dryRun: request.dryRun,
          durationMs: roundMs(ms),
        },
        'admission failed',
      );
      const message =
        `internal error in the sidecar injector (a bug, not a problem with this pod); the pod was not admitted. ` +
        `Retry, or look for uid ${request.uid} in the injector's log`;
      return { status: 200, json: JSON.stringify(reviewResponse(review.apiVersion, errored(request.uid, message))) };
    }
  };
}

/** The uid of a refused review when it has one, so the refusal can be matched to apiserver logs. */
function uidOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const uid = body.request.uid;
  // Bounded: a refused request may carry anything, and a log line must stay a line.
  return typeof uid === 'string' ? uid.slice(0, 128) : undefined;
}

/** Who sent a refused review, when it says so (bounded like a parsed one). */
function usernameOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request) || !isObject(body.request.userInfo)) return undefined;
  const name = body.request.userInfo.username;
  return typeof name === 'string' ? name.slice(0, USERNAME_MAX) : undefined;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
