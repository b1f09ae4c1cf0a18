// decide(review, config) -> response: the whole admission decision, no I/O. The HTTPS server and
// the offline `inject` command both call this and nothing else.
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Config } from './config/config.js';
import type { AdmissionReview } from './admission/review.js';
import { allowed, review as reviewResponse, type AdmissionReviewResponse } from './admission/response.js';
import type { JsonObject } from './json.js';

export type Outcome = 'skipped' | 'injected' | 'unchanged' | 'denied';

export interface Decision {
  review: AdmissionReviewResponse;
  outcome: Outcome;
  /** Short, log-safe reason (never the annotation's content or env values). */
  reason: string;
  /** Names of the sidecars this decision injects (empty unless outcome is "injected"). */
  injected: string[];
  namespace: string;
  pod: string;
  dryRun: boolean;
  /** The object after mutation (the received one when nothing changed); null when there was none. */
  mutated: JsonObject | null;
  ops: PatchOperation[];
}

export function decide(review: AdmissionReview, _config: Config): Decision {
  const req = review.request;
  return {
    review: reviewResponse(review.apiVersion, allowed(req.uid)),
    outcome: 'skipped',
    reason: 'not implemented',
    injected: [],
    namespace: req.namespace ?? '',
    pod: req.name ?? '',
    dryRun: req.dryRun,
    mutated: req.object,
    ops: [],
  };
}
