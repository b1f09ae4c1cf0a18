// Real decisions for the events tests: the pipeline pod fixture through decide(), changed per case.
import { NO_CLUSTER, type ClusterContext } from '../../src/cluster/context.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReview } from '../../src/admission/review.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { decide, type Decision } from '../../src/decide.js';
import type { JsonObject } from '../../src/json.js';

const base = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;

export const OWNER = { name: 'pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c', uid: '8d2c6a51-3f0e-4c1b-9b7a-2f5e1c9d0a44' };
export const POD = 'pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c-0';

export interface Case {
  config?: Config;
  /** Changes the review's request (dryRun...) or its pod. */
  request?: (request: JsonObject, pod: JsonObject) => void;
  /** What the cluster caches hold (default: none). */
  context?: ClusterContext;
}

export function decisionFor(c: Case = {}): { decision: Decision; pod: JsonObject | null } {
  const raw = structuredClone(base);
  const request = raw.request as JsonObject;
  c.request?.(request, request.object as JsonObject);
  const parsed = parseReview(raw);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { decision: decide(parsed.value, c.config ?? DEFAULT_CONFIG, c.context ?? NO_CLUSTER), pod: parsed.value.request.object };
}

export const metadata = (pod: JsonObject): JsonObject => pod.metadata as JsonObject;
export const forbidding: Config = { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } };
