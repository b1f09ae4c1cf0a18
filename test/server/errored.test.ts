// An internal failure is answered as an AdmissionReview (issue 7, item 5): once the review parsed,
// a failure inside is HTTP 200 with allowed false and status 500 (controller-runtime's Errored),
// in the request's apiVersion, counted, and logged once with its stack; the server stays up.
// Malformed requests keep their 4xx.
import t, { type Test } from 'tap';
import { ADMISSION_V1, ADMISSION_V1BETA1 } from '../../src/admission/review.js';
import { decide as realDecide } from '../../src/decide.js';
import type { DecideFunction } from '../../src/server/index.js';
import { JSON_HEADERS, fixtureText, http, https, startTestServer, type TestServer } from './harness.js';

const fixture = await fixtureText();
const uid = (JSON.parse(fixture) as { request: { uid: string } }).request.uid;
const P = 'feldera_sidecar_injector_';

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

type Review = { apiVersion: string; request: { uid: string; userInfo?: unknown; object: { spec: Record<string, unknown> } } };

function review(change: (r: Review) => void = () => undefined): string {
  const copy = JSON.parse(fixture) as Review;
  change(copy);
  return JSON.stringify(copy);
}

/** An array nested `depth` levels, built as text (building it as a value would need the stack too). */
function deepArrayText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** The fixture with `deep` spliced in as the value of spec.<field>, as text. */
function withDeepField(field: string, deep: string, into = '"spec":{'): string {
  const text = review();
  const at = text.indexOf(into);
  if (at < 0) throw new Error(`no ${into} in the fixture`);
  return `${text.slice(0, at + into.length)}"${field}":${deep},${text.slice(at + into.length)}`;
}

async function expectErrored(t: Test, server: TestServer, body: string, apiVersion: string): Promise<void> {
  const answer = await https({ port: server.handle.port, ca: server.ca, body, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200, 'HTTP 200: an answer, not "failed calling webhook"');
  t.match(String(answer.headers['content-type']), /^application\/json/);
  const parsed = answer.json() as { response: { status: { message: unknown } } };
  t.strictSame(parsed, {
    apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: parsed.response.status.message },
      auditAnnotations: { decision: 'error/INTERNAL_ERROR' },
    },
  });
  t.strictSame(typeof parsed.response.status.message, 'string');
  t.match(parsed.response.status.message, /internal error in the sidecar injector/);
  t.match(parsed.response.status.message, uid, 'the message names the uid to look up in the log');
}

async function metricsOf(server: TestServer): Promise<string> {
  return (await http(server.handle.metricsPort, '/metrics')).text;
}

t.test('decide() throwing: 200 + Errored in the request apiVersion, counted, logged once with the stack', async (t) => {
  let calls = 0;
  const server = await startTestServer(t, {
    options: {
      decide: () => {
        calls += 1;
        throw new Error('simulated bug s3cr3t-in-the-error');
      },
    },
  });
  t.strictSame(sample(await metricsOf(server), `${P}internal_errors_total`), 0, 'the counter exists from the start');
  await expectErrored(t, server, review((r) => (r.request.userInfo = { username: 'system:serviceaccount:feldera:runner' })), ADMISSION_V1);
  await expectErrored(t, server, review((r) => (r.apiVersion = ADMISSION_V1BETA1)), ADMISSION_V1BETA1);
  t.strictSame(calls, 2);

  const failures = server.logs.lines.filter((line) => line.msg === 'admission failed');
  t.strictSame(failures.length, 2, 'one line per failure');
  t.strictSame(server.logs.lines.filter((line) => line.level === 50).length, 2, 'and no other error line');
  const first = failures[0] as { failure: { type: unknown; message: unknown; stack: unknown } } & Record<string, unknown>;
  t.strictSame(first.level, 50);
  t.strictSame(first.uid, uid);
  t.strictSame(first.user, 'system:serviceaccount:feldera:runner', 'who asked');
  t.strictSame(first.decision, 'error');
  t.strictSame(first.failure.type, 'Error');
  t.strictSame(first.failure.message, 'simulated bug s3cr3t-in-the-error');
  t.match(first.failure.stack, /^ {4}at /, 'the stack frames are logged');
  const answered = await https({ port: server.handle.port, ca: server.ca, body: review(), headers: JSON_HEADERS });
  t.notOk(answered.text.includes('s3cr3t'), 'the error message itself never reaches the answer');

  const text = await metricsOf(server);
  t.strictSame(sample(text, `${P}internal_errors_total`), 3);
  t.strictSame(sample(text, `${P}admissions_total{outcome="error"}`), 3);
  const health = await https({ port: server.handle.port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.strictSame(health.status, 200, 'the server is still up');
});

t.test('a stack overflow on a deeply nested pod (100 000 levels) is answered as Errored too', async (t) => {
  // A decide() that first copies the pod the way a recursive walk would: a real RangeError from
  // the request's own depth, not a thrown Error.
  const walking: DecideFunction = (r, config, context) => {
    structuredClone(r.request.object);
    return realDecide(r, config, context);
  };
  const server = await startTestServer(t, { options: { decide: walking } });
  const deep = withDeepField('x-deep', deepArrayText(100_000));
  t.ok(Buffer.byteLength(deep) < 7 * 1024 * 1024, 'within the body limit');
  await expectErrored(t, server, deep, ADMISSION_V1);
  const failure = server.logs.lines.find((line) => line.msg === 'admission failed') as { failure: { type: unknown; message: unknown } } | undefined;
  t.strictSame(failure?.failure.type, 'RangeError');
  t.strictSame(failure?.failure.message, 'Maximum call stack size exceeded');
  const good = await https({ port: server.handle.port, ca: server.ca, body: review(), headers: JSON_HEADERS });
  t.strictSame(good.status, 200);
  t.strictSame((good.json() as { response: { allowed: unknown } }).response.allowed, true, 'the next review gets a real answer');
  t.strictSame(sample(await metricsOf(server), `${P}internal_errors_total`), 1);
});

t.test('deeply nested pods through the real decide() always get an AdmissionReview for their uid', async (t) => {
  const server = await startTestServer(t);
  const declared = '{"name":"example","image":"ubuntu:24.04","restartPolicy":"Always","resources":{"limits":{"cpu":';
  const cases: [string, string][] = [
    ['an unknown field of the pod spec', withDeepField('x-deep', deepArrayText(100_000))],
    ['an unknown field of the pod metadata', withDeepField('x-deep', deepArrayText(100_000), '"metadata":{')],
    ['a field of the main container', withDeepField('x-deep', deepArrayText(100_000), '"containers":[{')],
    // The declared sidecar already in the pod, with a quantity nested 100 000 deep.
    ['a quantity of a sidecar already in the pod', withDeepField('initContainers', `[${declared}${deepArrayText(100_000)}}}}]`)],
  ];
  for (const [what, body] of cases) {
    const answer = await https({ port: server.handle.port, ca: server.ca, body, headers: JSON_HEADERS });
    t.strictSame(answer.status, 200, `${what}: HTTP 200`);
    const parsed = answer.json() as { apiVersion: unknown; kind: unknown; response: { uid: unknown; allowed: unknown; status?: { code: unknown } } };
    t.strictSame([parsed.apiVersion, parsed.kind, parsed.response.uid], [ADMISSION_V1, 'AdmissionReview', uid], `${what}: a review for the uid`);
    t.strictSame(typeof parsed.response.allowed, 'boolean');
    if (parsed.response.status !== undefined) t.strictSame(typeof parsed.response.status.code, 'number');
    t.comment(`${what}: allowed ${String(parsed.response.allowed)}${parsed.response.status ? `, code ${String(parsed.response.status.code)}` : ''}`);
  }
  const health = await https({ port: server.handle.port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.strictSame(health.status, 200, 'the server is still up');
});

t.test('malformed requests keep their 4xx and are not internal errors', async (t) => {
  const server = await startTestServer(t, {
    options: {
      decide: () => {
        throw new Error('never reached');
      },
    },
  });
  const cases: [string, string, number, string][] = [
    ['not JSON', '{"kind": nope', 400, 'REQUEST_NOT_JSON'],
    ['no uid', review((r) => delete (r.request as Partial<Review['request']>).uid), 400, 'REVIEW_NO_UID'],
    ['not a review', '{"kind":"Pod"}', 400, 'REVIEW_BAD_KIND'],
  ];
  for (const [what, body, status, code] of cases) {
    const answer = await https({ port: server.handle.port, ca: server.ca, body, headers: JSON_HEADERS });
    t.strictSame(answer.status, status, `${what}: HTTP ${status}`);
    t.strictSame((answer.json() as { error: { code: unknown } }).error.code, code);
  }
  const text = await metricsOf(server);
  t.strictSame(sample(text, `${P}internal_errors_total`), 0);
  t.strictSame(sample(text, `${P}admissions_total{outcome="error"}`), 0);
});
