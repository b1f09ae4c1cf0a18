// Property-based fuzzing of the HTTPS server (issue 7, point 10): the same generated reviews as
// decide.test.ts, and malformed bodies, sent to the real server over real TLS. What only the
// server can break: a 5xx for a well-formed review, an answer that is not an AdmissionReview for
// its uid, a patch that does not apply to the object as it was sent, a malformed body answered
// with anything but a 4xx in our error shape, and a server that stops answering.
import t from 'tap';
import fc from 'fast-check';
import { Agent } from 'node:https';
import { applyPatch as applyRfc6902 } from 'rfc6902';
import { isObject, type JsonObject } from '../../src/json.js';
import { JSON_HEADERS, fixtureText, https, startTestServer } from '../server/harness.js';
import { BASE_REVIEW, review } from './arbitraries.js';

const RUNS = Number(process.env.FUZZ_SERVER_RUNS ?? 150);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const server = await startTestServer(t);
const port = server.handle.port;
const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: server.ca });
t.teardown(() => agent.destroy());
const post = (body: string, headers: Record<string, string> = JSON_HEADERS) => https({ port, ca: server.ca, body, headers, agent });

t.test('every generated review gets an AdmissionReview answer for its uid, never a 5xx, and its patch applies', async (t) => {
  const problems: string[] = [];
  await fc.assert(
    fc.asyncProperty(review, async (generated) => {
      const text = JSON.stringify(generated);
      const answer = await post(text);
      const found: string[] = [];
      if (answer.status !== 200) found.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
      else {
        const body = answer.json() as { kind?: unknown; response?: { uid?: unknown; allowed?: unknown; patch?: unknown; status?: { code?: unknown } } };
        const response = body.response;
        const request = (generated.request ?? {}) as JsonObject;
        if (body.kind !== 'AdmissionReview' || response === undefined) found.push('not an AdmissionReview');
        else {
          if (response.uid !== request.uid) found.push('uid not echoed');
          if (response.allowed !== true && response.status?.code !== 403 && response.status?.code !== 422) {
            found.push(`a well-formed review answered with status ${JSON.stringify(response.status?.code)}`);
          }
          if (typeof response.patch === 'string') {
            const target = JSON.parse(JSON.stringify(request.object)) as JsonObject;
            const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Parameters<typeof applyRfc6902>[1];
            const results = applyRfc6902(target, ops);
            if (results.some((r) => r !== null)) found.push('the patch does not apply (rfc6902)');
          }
        }
      }
      problems.push(...found);
      return found.length === 0;
    }),
    { numRuns: RUNS, seed },
  ).catch((error: unknown) => problems.push(String(error).slice(0, 2000)));
  t.strictSame(problems, [], `${RUNS} reviews over HTTPS`);
});

/** Bodies that are not usable AdmissionReviews, built from the real one so that many get far into parsing. */
const malformedBody: fc.Arbitrary<{ body: string; contentType: string }> = fc.record({
  body: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.integer({ min: 1, max: 7000 }).map((cut) => JSON.stringify(BASE_REVIEW).slice(0, cut)),
    fc.constantFrom('kind', 'apiVersion', 'request', 'uid', 'object', 'operation', 'kind.kind').map((field) => {
      const copy = structuredClone(BASE_REVIEW) as JsonObject;
      const request = copy.request as JsonObject;
      if (field === 'uid' || field === 'object' || field === 'operation') request[field] = field === 'operation' ? 'EXPLODE' : null;
      else if (field === 'kind.kind') (request.kind as JsonObject).kind = 7;
      else copy[field] = field === 'request' ? [] : 'Nope';
      return JSON.stringify(copy);
    }),
    fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 1, max: 20_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  ),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', ''),
});

t.test('malformed bodies get a 4xx in our error shape (or a review answer when they happen to be one), never a 5xx', async (t) => {
  const problems: string[] = [];
  await fc.assert(
    fc.asyncProperty(malformedBody, async ({ body, contentType }) => {
      const answer = await post(body, contentType === '' ? {} : { 'content-type': contentType });
      const found: string[] = [];
      if (answer.status >= 500) found.push(`HTTP ${answer.status}`);
      else if (answer.status >= 400) {
        let parsed: unknown;
        try {
          parsed = answer.json();
        } catch {
          parsed = undefined;
        }
        const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : undefined;
        if (error === undefined || typeof error.code !== 'string' || typeof error.message !== 'string') found.push(`HTTP ${answer.status} without {error: {code, message}}`);
      } else if (answer.status !== 200) found.push(`HTTP ${answer.status}`);
      problems.push(...found);
      return found.length === 0;
    }),
    { numRuns: RUNS, seed },
  ).catch((error: unknown) => problems.push(String(error).slice(0, 2000)));
  t.strictSame(problems, [], `${RUNS} malformed bodies`);
});

t.test('the server still answers the real review after all of it', async (t) => {
  const answer = await post(await fixtureText());
  t.equal(answer.status, 200);
  t.equal((answer.json() as { response: { allowed: boolean } }).response.allowed, true, 'the example review is admitted');
  t.strictSame(server.logs.lines.filter((l) => l.msg === 'admission failed').length, 0, 'no internal failure logged');
});
