import { connect } from 'node:tls';
import t, { type Test } from 'tap';
import { ADMISSION_V1BETA1 } from '../../src/admission/review.js';
import { isObject } from '../../src/json.js';
import { JSON_HEADERS, applyAnswerPatch, decodePatch, fixtureText, https, startTestServer, type TestServer } from './harness.js';

const fixture = await fixtureText();
const review = JSON.parse(fixture) as { apiVersion: string; request: Record<string, unknown> };
const uid = review.request.uid as string;

function variant(change: (r: { apiVersion: string; kind?: unknown; request: Record<string, unknown> }) => void): string {
  const copy = JSON.parse(fixture) as { apiVersion: string; request: Record<string, unknown> };
  change(copy);
  return JSON.stringify(copy);
}

async function expectError(t: Test, server: TestServer, status: number, code: string, body: string | Buffer | undefined, headers: Record<string, string> = JSON_HEADERS, extra: { chunked?: boolean; method?: string; path?: string } = {}): Promise<void> {
  const answer = await https({ port: server.handle.port, ca: server.ca, body, headers, ...extra });
  t.strictSame(answer.status, status, `HTTP ${status}`);
  t.match(String(answer.headers['content-type']), /^application\/json/);
  const parsed = answer.json();
  t.ok(isObject(parsed) && isObject(parsed.error), 'error body shape');
  t.strictSame(Object.keys(parsed as object), ['error']);
  t.strictSame(Object.keys((parsed as { error: object }).error).sort(), ['code', 'message']);
  t.strictSame((parsed as { error: { code: unknown } }).error.code, code);
  t.matchStrict(parsed, { error: { code, message: String } });
  // The server is still there and still right after every refusal.
  const good = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(good.status, 200, 'still answers afterwards');
}


t.test('round trip: the example review is answered with its uid and apiVersion', async (t) => {
  const server = await startTestServer(t);
  const answer = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200);
  t.match(String(answer.headers['content-type']), /^application\/json/);
  const body = answer.json();
  t.hasStrict(body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid } });
  t.matchStrict(body, { response: { allowed: Boolean } });
  t.strictSame(typeof (body as { response: { allowed: unknown } }).response.allowed, 'boolean');

  const beta = await https({ port: server.handle.port, ca: server.ca, body: variant((r) => (r.apiVersion = ADMISSION_V1BETA1)), headers: JSON_HEADERS });
  t.strictSame(beta.status, 200);
  t.hasStrict(beta.json(), { apiVersion: ADMISSION_V1BETA1, kind: 'AdmissionReview', response: { uid } });

  const charset = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: { 'content-type': 'application/json; charset=utf-8' } });
  t.strictSame(charset.status, 200, 'a charset parameter is fine');
});

t.test('one log line per admission, with the verdict and without the pod content', async (t) => {
  const server = await startTestServer(t);
  const before = server.logs.lines.length;
  await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  await https({ port: server.handle.port, ca: server.ca, body: variant((r) => (r.request.dryRun = true)), headers: JSON_HEADERS });
  const lines = server.logs.lines.slice(before);
  t.strictSame(lines.length, 2, 'exactly one line per admission');
  t.hasStrict(lines[0], {
    msg: 'admission',
    uid,
    user: 'system:serviceaccount:kube-system:statefulset-controller',
    namespace: 'feldera',
    pod: 'pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c-0',
    operation: 'CREATE',
    dryRun: false,
  });
  t.matchStrict(lines[0], { decision: String, reason: String, injected: Array, durationMs: Number });
  t.hasStrict(lines[1], { dryRun: true });
  const text = server.logs.raw.join('');
  for (const secret of ['Hello, world', 'ubuntu:24.04', 'runtime-config', 'TABLE']) {
    t.notOk(text.includes(secret), `log does not contain ${JSON.stringify(secret)}`);
  }
});

t.test('bad requests: clean 4xx JSON errors, a log line, and the server keeps answering', async (t) => {
  const server = await startTestServer(t);
  await t.test('not JSON', (t) => expectError(t, server, 400, 'REQUEST_NOT_JSON', '{"apiVersion": s3cr3t-marker'));
  await t.test('empty JSON body', (t) => expectError(t, server, 400, 'REQUEST_NOT_JSON', ''));
  await t.test('wrong content-type', (t) => expectError(t, server, 415, 'REQUEST_BAD_CONTENT_TYPE', fixture, { 'content-type': 'text/plain' }));
  await t.test('no content-type', (t) => expectError(t, server, 415, 'REQUEST_BAD_CONTENT_TYPE', fixture, {}));
  await t.test('array body', (t) => expectError(t, server, 400, 'REVIEW_NOT_OBJECT', '[1,2,3]'));
  await t.test('wrong kind', (t) => expectError(t, server, 400, 'REVIEW_BAD_KIND', variant((r) => (r.kind = 'Pod'))));
  await t.test('wrong apiVersion', (t) => expectError(t, server, 400, 'REVIEW_BAD_API_VERSION', variant((r) => (r.apiVersion = 'v1'))));
  await t.test('missing uid', (t) => expectError(t, server, 400, 'REVIEW_NO_UID', variant((r) => delete r.request.uid)));
  await t.test('missing object on CREATE', (t) => expectError(t, server, 400, 'REVIEW_NO_OBJECT', variant((r) => delete r.request.object)));
  // A "__proto__" key is data now (prototype-keys.test.ts); an object with nothing else is just not a review.
  await t.test('__proto__ key', (t) => expectError(t, server, 400, 'REVIEW_BAD_KIND', '{"__proto__": {"x": 1}}'));
  await t.test('8 MiB body with Content-Length', (t) => expectError(t, server, 413, 'REQUEST_TOO_LARGE', Buffer.alloc(8 * 1024 * 1024, 0x20)));
  await t.test('8 MiB body chunked', (t) =>
    expectError(t, server, 413, 'REQUEST_TOO_LARGE', Buffer.alloc(8 * 1024 * 1024, 0x20), JSON_HEADERS, { chunked: true }),
  );
  await t.test('unknown route', (t) => expectError(t, server, 404, 'ROUTE_NOT_FOUND', undefined, {}, { method: 'GET', path: '/nope' }));
  await t.test('GET /mutate', (t) => expectError(t, server, 404, 'ROUTE_NOT_FOUND', undefined, {}, { method: 'GET', path: '/mutate' }));

  const refusals = server.logs.lines.filter((line) => line.msg === 'request refused' || line.msg === 'admission request refused');
  t.strictSame(refusals.length, 14, 'one log line per refused request');
  t.ok(
    refusals.every((line) => typeof line.code === 'string' && typeof line.reason === 'string' || line.status === 404),
    'each refusal names its code and reason',
  );
  t.notOk(server.logs.raw.join('').includes('s3cr3t-marker'), 'the rejected body is not logged');
  const uidLine = server.logs.lines.find((line) => line.code === 'REVIEW_BAD_KIND');
  t.strictSame(uidLine?.uid, uid, 'a refused review with a uid is logged with it');
  t.strictSame(uidLine?.user, 'system:serviceaccount:kube-system:statefulset-controller', 'and with who sent it');
});

t.test('a body just under the limit is accepted (the limit is the configured one)', async (t) => {
  const server = await startTestServer(t, { server: { bodyLimitBytes: 64 * 1024 } });
  const padded = variant((r) => (r.request.padding = 'x'.repeat(50 * 1024)));
  const ok = await https({ port: server.handle.port, ca: server.ca, body: padded, headers: JSON_HEADERS });
  t.strictSame(ok.status, 200);
  const tooBig = variant((r) => (r.request.padding = 'x'.repeat(70 * 1024)));
  const refused = await https({ port: server.handle.port, ca: server.ca, body: tooBig, headers: JSON_HEADERS });
  t.strictSame(refused.status, 413);
  t.hasStrict(refused.json(), { error: { code: 'REQUEST_TOO_LARGE' } });
  t.matchStrict(refused.json(), { error: { message: /65536 bytes/ } });
});

// Was "a logged 500": a failure on a readable review is now answered as an AdmissionReview
// (errored.test.ts has the details).
t.test('decide() throwing is logged and answered as an Errored review (200, code 500), and the process stays up', async (t) => {
  let calls = 0;
  const server = await startTestServer(t, {
    options: {
      decide: () => {
        calls += 1;
        throw new Error('simulated bug');
      },
    },
  });
  const answer = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200);
  t.hasStrict(answer.json(), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: false, status: { code: 500 } } });
  t.matchStrict(answer.json(), { response: { status: { message: new RegExp(uid) } } });
  const again = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(again.status, 200, 'still answering');
  t.strictSame(calls, 2);
  const logged = server.logs.lines.filter((line) => line.msg === 'admission failed');
  t.strictSame(logged.length, 2);
  t.hasStrict(logged[0], { level: 50, uid, decision: 'error', failure: { message: 'simulated bug' } });
  const health = await https({ port: server.handle.port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.strictSame(health.status, 200);
});

t.test('malformed HTTP is answered on the raw socket in the same error shape', async (t) => {
  const server = await startTestServer(t);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.handle.port, ca: server.ca }, () => {
      socket.write('THIS IS NOT HTTP\r\n\r\n');
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;
  t.strictSame(body, { error: { code: 'REQUEST_INVALID', message: 'malformed HTTP request' } });
  const good = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(good.status, 200, 'still answers afterwards');
});

t.test("/mutate's patch, decoded and applied to a copy of the pod, gives the injected pod; the shape is exact", async (t) => {
  const server = await startTestServer(t);
  const answer = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200);
  const body = answer.json() as { apiVersion: unknown; kind: unknown; response: Record<string, unknown> };
  t.strictSame(Object.keys(body).sort(), ['apiVersion', 'kind', 'response']);
  t.strictSame(body.apiVersion, 'admission.k8s.io/v1');
  t.strictSame(body.kind, 'AdmissionReview');
  const response = body.response;
  t.strictSame(response.uid, uid, 'the uid is echoed exactly');
  t.strictSame(response.allowed, true);
  t.strictSame(response.patchType, 'JSONPatch');
  t.strictSame(typeof response.patch, 'string');
  t.strictSame(
    Object.keys(response).filter((key) => !['uid', 'allowed', 'patchType', 'patch', 'warnings', 'auditAnnotations'].includes(key)),
    [],
    'nothing else in the response',
  );
  t.strictSame(response.auditAnnotations, { decision: 'injected/INJECTED', injected: 'example,ingest-sidecar' }, 'the audit annotations say what was decided');
  if (response.warnings !== undefined) t.ok(Array.isArray(response.warnings) && response.warnings.every((w) => typeof w === 'string'), 'warnings are strings');

  const ops = decodePatch(response.patch);
  t.ok(ops.length > 0 && ops.every((op) => typeof op.op === 'string' && typeof op.path === 'string'), 'RFC 6902 operations');
  const pod = applyAnswerPatch(fixture, response.patch) as {
    metadata: { annotations: Record<string, unknown> };
    spec: { initContainers: { name: unknown; restartPolicy: unknown }[] };
  };
  t.strictSame(pod.spec.initContainers.map((c) => c.name), ['example', 'ingest-sidecar'], 'the declared sidecars, in order');
  t.strictSame(pod.spec.initContainers.map((c) => c.restartPolicy), ['Always', 'Always'], 'as native sidecars');
  const status = pod.metadata.annotations['sidecar.feldera.com/status'];
  t.strictSame(typeof status, 'string', 'the status annotation exists');
  t.matchStrict(JSON.parse(status as string), { sidecars: [{ name: 'example' }, { name: 'ingest-sidecar' }] });
  t.strictSame(pod.spec, { ...podOfFixture().spec, initContainers: pod.spec.initContainers }, 'nothing else in the spec changed');
});

t.test('a denial has a numeric status.code and the request apiVersion', async (t) => {
  const server = await startTestServer(t);
  const broken = variant((r) => {
    const object = r.request.object as { metadata: { annotations: Record<string, string> } };
    object.metadata.annotations['feldera.com/runtime-config'] = '{"init_containers": [{"name": "x"';
    r.apiVersion = ADMISSION_V1BETA1;
  });
  const answer = await https({ port: server.handle.port, ca: server.ca, body: broken, headers: JSON_HEADERS });
  t.strictSame(answer.status, 200);
  const body = answer.json() as { apiVersion: unknown; kind: unknown; response: { uid: unknown; allowed: unknown; status: Record<string, unknown>; patch?: unknown } };
  t.strictSame([body.apiVersion, body.kind, body.response.uid, body.response.allowed], [ADMISSION_V1BETA1, 'AdmissionReview', uid, false]);
  t.strictSame(typeof body.response.status.code, 'number');
  t.strictSame(body.response.status.code, 422);
  t.strictSame(body.response.status.reason, 'Invalid');
  t.strictSame(typeof body.response.status.message, 'string');
  t.strictSame(body.response.patch, undefined, 'a denial has no patch');
});

function podOfFixture(): { spec: Record<string, unknown> } {
  return (JSON.parse(fixture) as { request: { object: { spec: Record<string, unknown> } } }).request.object;
}
