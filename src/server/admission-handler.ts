// POST /mutate without HTTP: body -> parseReview -> decide -> answer, plus the one log line and
// the metrics for each admission. Kept free of fastify so the hot path is plain function calls.
import type { Logger } from 'pino';
import { parseReview, type AdmissionReview } from '../admission/review.js';
import type { AdmissionReviewResponse } from '../admission/response.js';
import type { Config } from '../config/config.js';
import type { Decision } from '../decide.js';
import { isObject } from '../json.js';
import type { Metrics } from '../metrics/registry.js';
import { errorBody, type ErrorBody } from './error-body.js';

export type DecideFunction = (review: AdmissionReview, config: Config) => Decision;

export type AdmissionAnswer = { status: 200; body: AdmissionReviewResponse } | { status: 400 | 500; body: ErrorBody };

export interface AdmissionHandlerOptions {
  config: Config;
  decide: DecideFunction;
  logger: Logger;
  metrics: Metrics;
}

/** Returns the handler; `startedAt` is performance.now() when the request arrived. */
export function createAdmissionHandler(options: AdmissionHandlerOptions): (body: unknown, startedAt: number) => AdmissionAnswer {
  const { config, decide, logger, metrics } = options;

  return (body, startedAt) => {
    const parsed = parseReview(body);
    if (!parsed.ok) {
      metrics.recordInvalidRequest(parsed.error.code);
      logger.warn({ uid: uidOf(body), code: parsed.error.code, reason: parsed.error.message }, 'admission request refused');
      return { status: 400, body: { error: parsed.error } };
    }
    const request = parsed.value.request;
    let decision: Decision;
    try {
      decision = decide(parsed.value, config);
    } catch (error) {
      const ms = performance.now() - startedAt;
      metrics.recordAdmission('error', request.dryRun, 0, ms / 1000);
      logger.error(
        {
          err: error,
          uid: request.uid,
          namespace: request.namespace ?? '',
          pod: request.name ?? '',
          operation: request.operation,
          decision: 'error',
          dryRun: request.dryRun,
          durationMs: roundMs(ms),
        },
        'admission failed',
      );
      return {
        status: 500,
        body: errorBody('INTERNAL_ERROR', `the injector failed to decide on request ${request.uid}; this is a bug, see the server log`),
      };
    }
    const ms = performance.now() - startedAt;
    metrics.recordAdmission(decision.outcome, decision.dryRun, decision.injected.length, ms / 1000);
    // Never the body, the annotation or env values: only what identifies the pod and the verdict.
    logger.info(
      {
        uid: request.uid,
        namespace: decision.namespace,
        pod: decision.pod,
        operation: request.operation,
        decision: decision.outcome,
        reason: decision.reason,
        injected: decision.injected,
        dryRun: decision.dryRun,
        durationMs: roundMs(ms),
      },
      'admission',
    );
    return { status: 200, body: decision.review };
  };
}

/** The uid of a refused review when it has one, so the refusal can be matched to apiserver logs. */
function uidOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const uid = body.request.uid;
  // Bounded: a refused request may carry anything, and a log line must stay a line.
  return typeof uid === 'string' ? uid.slice(0, 128) : undefined;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
