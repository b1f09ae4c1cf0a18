import { connect } from 'node:tls';
import t, { type Test } from 'tap';
import { ADMISSION_V1BETA1 } from '../../src/admission/review.js';
import { isObject } from '../../src/json.js';
import { JSON_HEADERS, fixtureText, https, startTestServer, type TestServer } from './harness.js';

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
  t.equal(answer.status, status, `HTTP ${status}`);
  t.match(String(answer.headers['content-type']), /^application\/json/);
  const parsed = answer.json();
  t.ok(isObject(parsed) && isObject(parsed.error), 'error body shape');
  t.same(Object.keys((parsed as { error: object }).error).sort(), ['code', 'message']);
  t.match(parsed, { error: { code, message: String } });
  // The server is still there and still right after every refusal.
  const good = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.equal(good.status, 200, 'still answers afterwards');
}


t.test('round trip: the example review is answered with its uid and apiVersion', async (t) => {
  const server = await startTestServer(t);
  const answer = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.equal(answer.status, 200);
  t.match(String(answer.headers['content-type']), /^application\/json/);
  const body = answer.json();
  t.match(body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: Boolean } });
  t.equal(typeof (body as { response: { allowed: unknown } }).response.allowed, 'boolean');

  const beta = await https({ port: server.handle.port, ca: server.ca, body: variant((r) => (r.apiVersion = ADMISSION_V1BETA1)), headers: JSON_HEADERS });
  t.equal(beta.status, 200);
  t.match(beta.json(), { apiVersion: ADMISSION_V1BETA1, kind: 'AdmissionReview', response: { uid } });

  const charset = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: { 'content-type': 'application/json; charset=utf-8' } });
  t.equal(charset.status, 200, 'a charset parameter is fine');
});

t.test('one log line per admission, with the verdict and without the pod content', async (t) => {
  const server = await startTestServer(t);
  const before = server.logs.lines.length;
  await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  await https({ port: server.handle.port, ca: server.ca, body: variant((r) => (r.request.dryRun = true)), headers: JSON_HEADERS });
  const lines = server.logs.lines.slice(before);
  t.equal(lines.length, 2, 'exactly one line per admission');
  t.match(lines[0], {
    msg: 'admission',
    uid,
    namespace: 'feldera',
    pod: 'pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c-0',
    operation: 'CREATE',
    decision: String,
    reason: String,
    injected: Array,
    dryRun: false,
    durationMs: Number,
  });
  t.match(lines[1], { dryRun: true });
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
  await t.test('__proto__ key', (t) => expectError(t, server, 400, 'REQUEST_NOT_JSON', '{"__proto__": {"x": 1}}'));
  await t.test('8 MiB body with Content-Length', (t) => expectError(t, server, 413, 'REQUEST_TOO_LARGE', Buffer.alloc(8 * 1024 * 1024, 0x20)));
  await t.test('8 MiB body chunked', (t) =>
    expectError(t, server, 413, 'REQUEST_TOO_LARGE', Buffer.alloc(8 * 1024 * 1024, 0x20), JSON_HEADERS, { chunked: true }),
  );
  await t.test('unknown route', (t) => expectError(t, server, 404, 'ROUTE_NOT_FOUND', undefined, {}, { method: 'GET', path: '/nope' }));
  await t.test('GET /mutate', (t) => expectError(t, server, 404, 'ROUTE_NOT_FOUND', undefined, {}, { method: 'GET', path: '/mutate' }));

  const refusals = server.logs.lines.filter((line) => line.msg === 'request refused' || line.msg === 'admission request refused');
  t.equal(refusals.length, 14, 'one log line per refused request');
  t.ok(
    refusals.every((line) => typeof line.code === 'string' && typeof line.reason === 'string' || line.status === 404),
    'each refusal names its code and reason',
  );
  t.notOk(server.logs.raw.join('').includes('s3cr3t-marker'), 'the rejected body is not logged');
  const uidLine = server.logs.lines.find((line) => line.code === 'REVIEW_BAD_KIND');
  t.equal(uidLine?.uid, uid, 'a refused review with a uid is logged with it');
});

t.test('a body just under the limit is accepted (the limit is the configured one)', async (t) => {
  const server = await startTestServer(t, { server: { bodyLimitBytes: 64 * 1024 } });
  const padded = variant((r) => (r.request.padding = 'x'.repeat(50 * 1024)));
  const ok = await https({ port: server.handle.port, ca: server.ca, body: padded, headers: JSON_HEADERS });
  t.equal(ok.status, 200);
  const tooBig = variant((r) => (r.request.padding = 'x'.repeat(70 * 1024)));
  const refused = await https({ port: server.handle.port, ca: server.ca, body: tooBig, headers: JSON_HEADERS });
  t.equal(refused.status, 413);
  t.match(refused.json(), { error: { code: 'REQUEST_TOO_LARGE', message: /65536 bytes/ } });
});

t.test('decide() throwing is a logged 500, and the process stays up', async (t) => {
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
  t.equal(answer.status, 500);
  t.match(answer.json(), { error: { code: 'INTERNAL_ERROR', message: new RegExp(uid) } });
  const again = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.equal(again.status, 500, 'still answering');
  t.equal(calls, 2);
  const logged = server.logs.lines.filter((line) => line.msg === 'admission failed');
  t.equal(logged.length, 2);
  t.match(logged[0], { level: 50, uid, decision: 'error', err: { message: 'simulated bug' } });
  const health = await https({ port: server.handle.port, ca: server.ca, method: 'GET', path: '/healthz' });
  t.equal(health.status, 200);
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
  t.match(body, { error: { code: 'REQUEST_INVALID', message: 'malformed HTTP request' } });
  const good = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.equal(good.status, 200, 'still answers afterwards');
});
