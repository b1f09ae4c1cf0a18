import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReview } from '../../src/admission/review.js';
import { decide } from '../../src/decide.js';
import { DEFAULT_CONFIG } from '../../src/config/config.js';
import type { JsonObject } from '../../src/json.js';

const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
function variant(change: (review: JsonObject & { request: JsonObject }) => void): JsonObject {
  const copy = structuredClone(example) as JsonObject & { request: JsonObject };
  change(copy);
  return copy;
}

// [what, body, expected error code]
const bad: [string, unknown, string][] = [
  ['not an object', [], 'REVIEW_NOT_OBJECT'],
  ['null', null, 'REVIEW_NOT_OBJECT'],
  ['wrong kind', variant((r) => (r.kind = 'Pod')), 'REVIEW_BAD_KIND'],
  ['unknown apiVersion', variant((r) => (r.apiVersion = 'admission.k8s.io/v2')), 'REVIEW_BAD_API_VERSION'],
  ['no request', variant((r) => delete (r as JsonObject).request), 'REVIEW_NO_REQUEST'],
  ['no uid', variant((r) => delete r.request.uid), 'REVIEW_NO_UID'],
  ['empty uid', variant((r) => (r.request.uid = '')), 'REVIEW_NO_UID'],
  ['bad operation', variant((r) => (r.request.operation = 'PATCH')), 'REVIEW_BAD_OPERATION'],
  ['CREATE without object', variant((r) => (r.request.object = null)), 'REVIEW_NO_OBJECT'],
];
for (const [what, body, code] of bad) {
  t.test(`refused: ${what}`, async (t) => {
    const parsed = parseReview(body);
    t.notOk(parsed.ok);
    if (!parsed.ok) t.equal(parsed.error.code, code);
  });
}

// Requests the webhook lets through untouched: [what, body]
const untouched: [string, JsonObject][] = [
  ['UPDATE', variant((r) => (r.request.operation = 'UPDATE'))],
  ['DELETE without object', variant((r) => { r.request.operation = 'DELETE'; r.request.object = null; })],
  ['not a Pod', variant((r) => (r.request.kind = { group: 'apps', version: 'v1', kind: 'StatefulSet' }))],
  ['a pod subresource', variant((r) => (r.request.subResource = 'status'))],
];
for (const [what, body] of untouched) {
  t.test(`allowed untouched: ${what}`, async (t) => {
    const parsed = parseReview(body);
    t.ok(parsed.ok);
    if (!parsed.ok) return;
    const decision = decide(parsed.value, DEFAULT_CONFIG);
    t.equal(decision.review.response.allowed, true);
    t.equal(decision.review.response.patch, undefined);
    t.equal(decision.outcome, 'skipped');
    t.equal(decision.review.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
  });
}

t.test('v1beta1 is answered in v1beta1, dryRun is carried', async (t) => {
  const parsed = parseReview(variant((r) => { r.apiVersion = 'admission.k8s.io/v1beta1'; r.request.dryRun = true; }));
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  const decision = decide(parsed.value, DEFAULT_CONFIG);
  t.equal(decision.review.apiVersion, 'admission.k8s.io/v1beta1');
  t.equal(decision.dryRun, true);
  t.equal(decision.outcome, 'injected', 'a dry run gets the same answer');
  t.equal(decision.review.response.patchType, 'JSONPatch');
});
