// "__proto__", "constructor" and "prototype" keys in a review (issue 7, item 8, the HTTP part):
// fastify's default parser refused such bodies with HTTP 400, which kube-apiserver reports as
// "failed calling webhook". They are data: the review gets a real answer whose patch applies, the
// keys stay own properties with their values, and nothing reaches Object.prototype.
import t from 'tap';
import { parseJsonBody } from '../../src/server/json-body.js';
import { JSON_HEADERS, applyAnswerPatch, fixtureText, https, podOf, startTestServer } from './harness.js';

const fixture = JSON.stringify(JSON.parse(await fixtureText()));

/** Inserts `members` (JSON text) right after the first occurrence of `after`. */
function insertAfter(text: string, after: string, members: string): string {
  const at = text.indexOf(after);
  if (at < 0) throw new Error(`no ${after} in the fixture`);
  return `${text.slice(0, at + after.length)}${members}${text.slice(at + after.length)}`;
}

const POISON = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';

// Written as text: an object literal or an assignment would set a prototype instead of a key.
let poisoned = fixture;
poisoned = insertAfter(poisoned, '"labels":{', '"__proto__":"label-value","constructor":"c","prototype":"p",');
poisoned = insertAfter(poisoned, '"annotations":{', '"constructor":"annotation-value",');
poisoned = insertAfter(poisoned, '"volumes":[', '{"name":"csi","csi":{"driver":"csi.example.com","volumeAttributes":{"__proto__":"a","constructor":"b"}}},');
poisoned = insertAfter(poisoned, '"spec":{', `"nodeSelector":{"__proto__":"n"},"x-unknown":${POISON},`);
poisoned = insertAfter(poisoned, '"request":{', `"x-envelope":${POISON},`);
poisoned = `{"x-top":${POISON},${poisoned.slice(1)}`;

function ownKeys(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

t.test('the body parser keeps prototype keys as own data properties', async (t) => {
  const parsed = parseJsonBody(POISON) as Record<string, unknown>;
  t.strictSame(Object.keys(parsed), ['__proto__', 'constructor', 'prototype']);
  t.strictSame(Object.getPrototypeOf(parsed), Object.prototype, 'the prototype is not replaced');
  t.strictSame(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { polluted: 'yes' });
  t.strictSame(({} as Record<string, unknown>).polluted, undefined);
});

t.test('a review with prototype keys in free-form maps gets a real answer whose patch applies', async (t) => {
  const server = await startTestServer(t);
  const answer = await https({ port: server.handle.port, ca: server.ca, body: poisoned, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200, 'HTTP 200, not 400');
  const body = answer.json() as { response: { allowed: unknown; patchType: unknown; patch: unknown } };
  t.strictSame(body.response.allowed, true);
  t.strictSame(body.response.patchType, 'JSONPatch');

  const pod = applyAnswerPatch(poisoned, body.response.patch) as {
    metadata: { labels: Record<string, unknown>; annotations: Record<string, unknown> };
    spec: { initContainers: { name: string }[]; nodeSelector: unknown; volumes: { csi?: { volumeAttributes: unknown } }[]; 'x-unknown': unknown };
  };
  t.strictSame(pod.spec.initContainers.map((c) => c.name), ['example', 'ingest-sidecar'], 'the sidecars are injected');
  t.strictSame(typeof pod.metadata.annotations['sidecar.feldera.com/status'], 'string', 'the status annotation is written');
  t.strictSame(Object.getOwnPropertyDescriptor(pod.metadata.labels, '__proto__')?.value, 'label-value', 'the "__proto__" label is kept as data');
  t.strictSame([pod.metadata.labels.constructor, pod.metadata.labels.prototype], ['c', 'p']);
  t.strictSame(pod.metadata.annotations.constructor, 'annotation-value');
  t.strictSame(ownKeys(pod.spec.nodeSelector), ['__proto__']);
  t.strictSame(ownKeys(pod.spec.volumes[0]?.csi?.volumeAttributes), ['__proto__', 'constructor']);
  t.strictSame(ownKeys(pod.spec['x-unknown']), ['__proto__', 'constructor', 'prototype']);
  // Everything the patch did not touch is exactly as sent.
  const sent = podOf(poisoned) as typeof pod;
  t.strictSame(pod.metadata.labels, sent.metadata.labels);
  t.strictSame(pod.spec.volumes, sent.spec.volumes);

  t.strictSame(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
  t.strictSame(Object.hasOwn(Object.prototype, 'polluted'), false);
  t.strictSame(Object.hasOwn(Object.prototype.constructor, 'polluted'), false);
});

t.test('prototype keys where a review is expected are refused as any other non-review', async (t) => {
  const server = await startTestServer(t);
  const answer = await https({ port: server.handle.port, ca: server.ca, body: POISON, headers: JSON_HEADERS });
  t.strictSame(answer.status, 400);
  t.strictSame((answer.json() as { error: { code: unknown } }).error.code, 'REVIEW_BAD_KIND');
  t.strictSame(({} as Record<string, unknown>).polluted, undefined);
});
