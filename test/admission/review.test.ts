import t from 'tap';
import { NO_CLUSTER } from '../../src/cluster/context.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReview, USERNAME_MAX } from '../../src/admission/review.js';
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
    if (!parsed.ok) t.strictSame(parsed.error.code, code);
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
    const decision = decide(parsed.value, DEFAULT_CONFIG, NO_CLUSTER);
    t.strictSame(decision.review.response.allowed, true);
    t.strictSame(decision.review.response.patch, undefined);
    t.strictSame(decision.outcome, 'skipped');
    t.strictSame(decision.review.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
  });
}

t.test('v1beta1 is answered in v1beta1, dryRun is carried', async (t) => {
  const parsed = parseReview(variant((r) => { r.apiVersion = 'admission.k8s.io/v1beta1'; r.request.dryRun = true; }));
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  const decision = decide(parsed.value, DEFAULT_CONFIG, NO_CLUSTER);
  t.strictSame(decision.review.apiVersion, 'admission.k8s.io/v1beta1');
  t.strictSame(decision.dryRun, true);
  t.strictSame(decision.outcome, 'injected', 'a dry run gets the same answer');
  t.strictSame(decision.review.response.patchType, 'JSONPatch');
});

// userInfo.username, for the log line: [what, userInfo, expected username]
const users: [string, unknown, string | undefined][] = [
  ['a service account', { username: 'system:serviceaccount:kube-system:statefulset-controller', groups: ['system:serviceaccounts'] }, 'system:serviceaccount:kube-system:statefulset-controller'],
  ['no userInfo', undefined, undefined],
  ['a username that is not a string', { username: 42 }, undefined],
  ['an empty username', { username: '' }, ''],
  ['a username longer than the bound', { username: 'u'.repeat(USERNAME_MAX + 100) }, `${'u'.repeat(USERNAME_MAX)}...`],
];
for (const [what, userInfo, expected] of users) {
  t.test(`username: ${what}`, async (t) => {
    const parsed = parseReview(variant((r) => (userInfo === undefined ? delete r.request.userInfo : (r.request.userInfo = userInfo as JsonObject))));
    t.ok(parsed.ok);
    if (parsed.ok) t.strictSame(parsed.value.request.username, expected);
  });
}

// The refusal messages quote an envelope value only as a cut name, else by its type: [what, body, message]
const messages: [string, unknown, string][] = [
  ['kind as a string', variant((r) => (r.kind = 'Pod')), 'kind must be "AdmissionReview", got "Pod"'],
  ['kind as a number', variant((r) => (r.kind = 7)), 'kind must be "AdmissionReview", got a number'],
  ['kind missing', variant((r) => delete r.kind), 'kind must be "AdmissionReview", got nothing'],
  ['apiVersion as null', variant((r) => (r.apiVersion = null)), 'apiVersion must be "admission.k8s.io/v1" or "admission.k8s.io/v1beta1", got null'],
  ['apiVersion as an array', variant((r) => (r.apiVersion = ['a'])), 'apiVersion must be "admission.k8s.io/v1" or "admission.k8s.io/v1beta1", got an array'],
  ['a long operation', variant((r) => (r.request.operation = 'X'.repeat(500))), `AdmissionReview request operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "${'X'.repeat(63)}..."`],
  ['an operation with quotes and a newline', variant((r) => (r.request.operation = 'a"b\nc')), 'AdmissionReview request operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "a\\"b\\nc"'],
];
for (const [what, body, message] of messages) {
  t.test(`message: ${what}`, async (t) => {
    const parsed = parseReview(body);
    t.notOk(parsed.ok);
    if (!parsed.ok) t.strictSame(parsed.error.message, message);
  });
}
