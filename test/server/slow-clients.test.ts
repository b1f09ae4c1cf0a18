// Slow clients cannot hold the server (issue 7, item 4): a slow body and a slow header are cut
// within their bounds and answered 408 in our error shape, while a kept-alive connection is not
// cut before kube-apiserver's own idle timeout would close it. The mechanism runs with shortened
// timeouts (the same code paths); the production values are checked as the server reports them.
import t, { type Test } from 'tap';
import { Agent } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect } from 'node:tls';
import { SERVER_TIMEOUTS, type ServerTimeouts } from '../../src/server/timeouts.js';
import { JSON_HEADERS, fixtureText, https, parseRawAnswer, silentClient, sleep, startTestServer } from './harness.js';

const fixture = await fixtureText();

const SHORT: ServerTimeouts = { handshakeMs: 1000, headersMs: 1200, bodyMs: 1000, keepAliveMs: 1500, checkEveryMs: 100 };
/** Scheduling slack on a shared 2-core machine. */
const SLACK_MS = 1500;

function expectTimeoutAnswer(t: Test, text: string): void {
  const answer = parseRawAnswer(text);
  t.strictSame(answer.status, 408, 'HTTP 408');
  t.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(answer.body) as { error: { code: unknown; message: unknown } };
  t.strictSame(Object.keys(body), ['error']);
  t.strictSame(Object.keys(body.error).sort(), ['code', 'message']);
  t.strictSame(body.error.code, 'REQUEST_TIMEOUT');
  t.strictSame(typeof body.error.message, 'string');
}

t.test('a slow body (headers, half the body, then silence) is answered 408 and closed within the body bound', async (t) => {
  const server = await startTestServer(t, { options: { timeouts: SHORT } });
  const half = fixture.slice(0, Math.floor(fixture.length / 2));
  const head =
    `POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(fixture)}\r\n\r\n`;
  const started = performance.now();
  const [slow, meanwhile] = await Promise.all([
    silentClient(server.handle.port, server.ca, head + half, 20_000),
    // The server keeps answering others while the slow one waits.
    sleep(200).then(() => https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS })),
  ]);
  t.strictSame(meanwhile.status, 200, 'another client is answered meanwhile');
  expectTimeoutAnswer(t, slow.text);
  t.ok(slow.closedAfterMs >= SHORT.bodyMs - 100, `not cut before the bound (${Math.round(slow.closedAfterMs)} ms)`);
  t.ok(slow.closedAfterMs <= SHORT.bodyMs + SLACK_MS, `cut within the bound (${Math.round(slow.closedAfterMs)} ms)`);
  t.ok(performance.now() - started < SHORT.bodyMs + SLACK_MS + 1000);
  const refused = server.logs.lines.filter((line) => line.code === 'REQUEST_TIMEOUT');
  t.strictSame(refused.length, 1, 'one log line for the timeout');
  t.strictSame(refused[0]?.status, 408);
  t.strictSame(server.logs.lines.filter((line) => typeof line.level === 'number' && line.level >= 50).length, 0, 'nothing logged as an error');
  const again = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(again.status, 200, 'still answers afterwards');
});

t.test('a slow header (headers never finished) is answered 408 and closed within the header bound', async (t) => {
  const server = await startTestServer(t, { options: { timeouts: SHORT } });
  const slow = await silentClient(server.handle.port, server.ca, 'POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty', 20_000);
  expectTimeoutAnswer(t, slow.text);
  t.ok(slow.closedAfterMs >= SHORT.headersMs - 100, `not cut before the bound (${Math.round(slow.closedAfterMs)} ms)`);
  t.ok(slow.closedAfterMs <= SHORT.headersMs + SHORT.checkEveryMs + SLACK_MS, `cut within the bound (${Math.round(slow.closedAfterMs)} ms)`);
  const good = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  t.strictSame(good.status, 200, 'still answers afterwards');
});

t.test('a connection that never sends a byte is closed at the header bound, not before', async (t) => {
  const server = await startTestServer(t, { options: { timeouts: SHORT } });
  const silent = await silentClient(server.handle.port, server.ca, null, 20_000);
  t.ok(silent.closedAfterMs >= SHORT.headersMs - 100, `kept until the bound (${Math.round(silent.closedAfterMs)} ms)`);
  t.ok(silent.closedAfterMs <= SHORT.headersMs + SHORT.checkEveryMs + SLACK_MS, `closed within it (${Math.round(silent.closedAfterMs)} ms)`);
});

t.test('a TCP connection that never starts its TLS handshake is closed at the handshake bound', async (t) => {
  const server = await startTestServer(t, { options: { timeouts: SHORT } });
  const closedAfterMs = await new Promise<number>((resolve, reject) => {
    let openedAt = 0;
    const socket = netConnect({ host: '127.0.0.1', port: server.handle.port }, () => (openedAt = performance.now()));
    const timer = setTimeout(() => reject(new Error('not closed')), 20_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - openedAt);
    });
  });
  t.ok(closedAfterMs >= SHORT.handshakeMs - 100, `kept until the bound (${Math.round(closedAfterMs)} ms)`);
  t.ok(closedAfterMs <= SHORT.handshakeMs + SLACK_MS, `closed within it (${Math.round(closedAfterMs)} ms)`);
});

t.test('a kept-alive connection is reused while idle below the bound and closed after it', async (t) => {
  const server = await startTestServer(t, { options: { timeouts: SHORT } });
  const request = `POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(fixture)}\r\n\r\n${fixture}`;
  const result = await new Promise<{ answers: number; closedAfterLastMs: number }>((resolve, reject) => {
    let text = '';
    let answers = 0;
    let lastAnswerAt = 0;
    const socket = connect({ host: '127.0.0.1', port: server.handle.port, ca: server.ca }, () => socket.write(request));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const count = text.split('HTTP/1.1 200 OK').length - 1;
      if (count > answers) {
        answers = count;
        lastAnswerAt = performance.now();
        // Idle for most of the keep-alive bound, then reuse the connection once.
        if (answers === 1) setTimeout(() => socket.write(request), SHORT.keepAliveMs - 500);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ answers, closedAfterLastMs: performance.now() - lastAnswerAt }));
  });
  t.strictSame(result.answers, 2, 'the idle connection was still open and answered the second request');
  t.ok(result.closedAfterLastMs >= SHORT.keepAliveMs - 100, `kept at least the keep-alive bound (${Math.round(result.closedAfterLastMs)} ms)`);
  // Node adds one second to keepAliveTimeout before it closes the socket itself.
  t.ok(result.closedAfterLastMs <= SHORT.keepAliveMs + 1000 + SLACK_MS, `then closed (${Math.round(result.closedAfterLastMs)} ms)`);
});

t.test('the production timeouts: what the server reports, and the bounds they must keep', async (t) => {
  t.strictSame(SERVER_TIMEOUTS, { handshakeMs: 10_000, headersMs: 100_000, bodyMs: 30_000, keepAliveMs: 100_000, checkEveryMs: 1_000 });
  // Go's http.Transport IdleConnTimeout, which kube-apiserver's webhook client keeps (client-go
  // transport/cache.go -> apimachinery SetOldTransportDefaults): the server must never close an
  // idle connection first, or a POST written into the closing socket fails the admission.
  const GO_IDLE_CONN_TIMEOUT_MS = 90_000;
  t.ok(SERVER_TIMEOUTS.keepAliveMs > GO_IDLE_CONN_TIMEOUT_MS, 'kept-alive connections outlive the client idle timeout');
  t.ok(SERVER_TIMEOUTS.headersMs > GO_IDLE_CONN_TIMEOUT_MS, 'so do connections Go parked before their first request');
  // The webhook's timeoutSeconds is at most 30: after that no sender is kube-apiserver waiting.
  t.ok(SERVER_TIMEOUTS.bodyMs >= 30_000, 'the body bound is not shorter than the longest timeoutSeconds');

  const server = await startTestServer(t);
  const start = server.logs.lines.find((line) => line.msg === 'serving admissions');
  t.strictSame(start?.timeouts, { ...SERVER_TIMEOUTS }, 'the start line reports the timeouts in use');
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const answer = await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS, agent });
  t.strictSame(answer.status, 200);
  t.strictSame(answer.headers['keep-alive'], 'timeout=100', 'the keep-alive bound as HTTP advertises it');
});
