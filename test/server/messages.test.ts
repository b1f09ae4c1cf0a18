// Nothing the caller sent comes back in a message beyond names and paths (issue 7, item 6, the
// server part): a 4xx body can reach kube-apiserver's error and from there a FailedCreate event.
// Each row sends a secret where a careless message would echo it.
import t from 'tap';
import { http, https, JSON_HEADERS, fixtureText, startTestServer } from './harness.js';

const fixture = await fixtureText();
const SECRET = 's3cr3t-d4ta';

function variant(change: (r: { apiVersion: unknown; kind?: unknown; request: Record<string, unknown> }) => void): string {
  const copy = JSON.parse(fixture) as { apiVersion: unknown; request: Record<string, unknown> };
  change(copy);
  return JSON.stringify(copy);
}

const LONG = `${'x'.repeat(70)}${SECRET}`;

t.test('refusals on the HTTPS port carry positions, types and cut names, never the content', async (t) => {
  const server = await startTestServer(t);
  // [what, request, status, code, message pattern]
  const cases: [string, { body?: string; headers?: Record<string, string>; method?: string; path?: string }, number, string, RegExp][] = [
    ['a JSON syntax error', { body: `{"apiVersion": "admission.k8s.io/v1", "token": ${SECRET}}` }, 400, 'REQUEST_NOT_JSON', /^request body is not valid JSON \(an unexpected character at line 1, column 48\); /],
    ['a JSON syntax error on line 2', { body: `{"apiVersion": "v1",\n "token": "${SECRET}` }, 400, 'REQUEST_NOT_JSON', /at line 2, column \d+/],
    ['a truncated body', { body: `{"token": "${SECRET}"` }, 400, 'REQUEST_NOT_JSON', /^request body is not valid JSON \(.+ at line 1, column \d+\)/],
    ['a Content-Type with parameters', { body: fixture, headers: { 'content-type': `text/plain; token=${SECRET}` } }, 415, 'REQUEST_BAD_CONTENT_TYPE', /^Content-Type must be application\/json, got "text\/plain"$/],
    ['a long Content-Type', { body: fixture, headers: { 'content-type': `text/${LONG}` } }, 415, 'REQUEST_BAD_CONTENT_TYPE', /^Content-Type must be application\/json, got "text\/x+\.\.\."$/],
    ['kind as a long string', { body: variant((r) => (r.kind = LONG)) }, 400, 'REVIEW_BAD_KIND', /^kind must be "AdmissionReview", got "x{63}\.\.\."$/],
    ['kind as an object', { body: variant((r) => (r.kind = { token: SECRET })) }, 400, 'REVIEW_BAD_KIND', /^kind must be "AdmissionReview", got an object$/],
    ['apiVersion as a number', { body: variant((r) => (r.apiVersion = 12345)) }, 400, 'REVIEW_BAD_API_VERSION', /, got a number$/],
    ['apiVersion missing', { body: variant((r) => delete (r as { apiVersion?: unknown }).apiVersion) }, 400, 'REVIEW_BAD_API_VERSION', /, got nothing$/],
    ['operation as a long string', { body: variant((r) => (r.request.operation = LONG)) }, 400, 'REVIEW_BAD_OPERATION', /, got "x{63}\.\.\."$/],
    ['a long unknown path', { method: 'GET', path: `/${LONG}?token=${SECRET}` }, 404, 'ROUTE_NOT_FOUND', /^no route GET "\/x{62}\.\.\."; this server serves /],
    ['a path with a query', { method: 'GET', path: `/nope?token=${SECRET}` }, 404, 'ROUTE_NOT_FOUND', /^no route GET "\/nope"; /],
    ['a malformed URL', { body: fixture, path: `/mutate/%zz${SECRET}` }, 400, 'REQUEST_INVALID', /^the request URL has a malformed percent-encoding$/],
  ];
  for (const [what, request, status, code, pattern] of cases) {
    const answer = await https({ port: server.handle.port, ca: server.ca, headers: JSON_HEADERS, ...request });
    const body = answer.json() as { error: { code: unknown; message: string } };
    t.strictSame(answer.status, status, `${what}: HTTP ${status}`);
    t.strictSame(body.error.code, code, `${what}: ${code}`);
    t.match(body.error.message, pattern, `${what}: ${body.error.message}`);
    t.notOk(answer.text.includes(SECRET), `${what}: the content is not echoed`);
  }
  t.notOk(server.logs.raw.join('').includes(SECRET.repeat(2)), 'no log line repeats it either');
});

t.test('the metrics port does not echo the path either', async (t) => {
  const server = await startTestServer(t);
  const answer = await http(server.handle.metricsPort, `/${LONG}?token=${SECRET}`);
  t.strictSame(answer.status, 404);
  const body = answer.json() as { error: { code: unknown; message: string } };
  t.strictSame(body.error.code, 'ROUTE_NOT_FOUND');
  t.match(body.error.message, /^no route "\/x{62}\.\.\."; /);
  t.notOk(answer.text.includes(SECRET));
});
