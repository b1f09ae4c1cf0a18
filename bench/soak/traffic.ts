// The soak's request mix: every pipeline pod is new (fresh uid, pipeline id and pod name), as in a
// cluster, so nothing the server might keep between requests can make it look better than it is.
import { randomUUID } from 'node:crypto';
import { exampleReview, exampleReviewText, RUNTIME_CONFIG_ANNOTATION } from '../decision/review-builder.js';

export type Kind = 'pipeline' | 'non-pipeline' | 'denied' | 'malformed';

/** Share of each kind in the mix, out of 20. */
export const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['pipeline', 12],
  ['non-pipeline', 4],
  ['denied', 2],
  ['malformed', 2],
];

const EXAMPLE_UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const EXAMPLE_PIPELINE_ID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';

export interface Traffic {
  /** The kind of request number i (a fixed interleaving of MIX). */
  kindOf(i: number): Kind;
  /** A new body of that kind. */
  body(kind: Kind): string;
  /** null when the answer is what that kind must get, else what was wrong. */
  check(kind: Kind, status: number, text: string): string | null;
}

/** The example pod without the runtime-config annotation: not a pipeline pod, passed through. */
function withoutRuntimeConfig(reviewText: string): string {
  const review = JSON.parse(reviewText) as { request: { object: { metadata: { annotations?: Record<string, string> } } } };
  delete review.request.object.metadata.annotations?.[RUNTIME_CONFIG_ANNOTATION];
  return JSON.stringify(review);
}

export function createTraffic(): Traffic {
  const templates: Record<Kind, string> = {
    pipeline: exampleReviewText(),
    'non-pipeline': withoutRuntimeConfig(exampleReviewText()),
    // A declared sidecar without an image: refused with a message (allowed: false), HTTP 200.
    denied: exampleReview(({ runtimeConfig }) => {
      delete runtimeConfig.init_containers[1]?.image;
    }),
    // Cut in the middle: not JSON. The server answers 400 before any decision.
    malformed: exampleReviewText().slice(0, 3000),
  };
  const order: Kind[] = [];
  const left = new Map(MIX);
  // Spread each kind evenly over the cycle rather than in blocks.
  const total = MIX.reduce((sum, [, n]) => sum + n, 0);
  for (let slot = 0; slot < total; slot += 1) {
    const next = [...left.entries()].sort((a, b) => b[1] - a[1])[0];
    if (next === undefined) break;
    order.push(next[0]);
    left.set(next[0], next[1] - 1);
  }
  return {
    kindOf: (i) => order[i % order.length] as Kind,
    body(kind) {
      return templates[kind].split(EXAMPLE_UID).join(randomUUID()).split(EXAMPLE_PIPELINE_ID).join(randomUUID());
    },
    check(kind, status, text) {
      if (kind === 'malformed') return status === 400 ? null : `HTTP ${status} for a malformed body (expected 400)`;
      if (status !== 200) return `HTTP ${status}: ${text.slice(0, 120)}`;
      let response: { allowed?: unknown; patch?: unknown } | undefined;
      try {
        response = (JSON.parse(text) as { response?: typeof response }).response;
      } catch {
        return 'answer is not JSON';
      }
      const patched = typeof response?.patch === 'string';
      if (kind === 'pipeline') return response?.allowed === true && patched ? null : 'pipeline pod not injected';
      if (kind === 'non-pipeline') return response?.allowed === true && !patched ? null : 'non-pipeline pod not passed through untouched';
      return response?.allowed === false ? null : 'invalid sidecar not refused';
    },
  };
}
