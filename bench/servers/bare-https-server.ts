// Child process: the floor a Node webhook is compared with. A bare node:https server (no
// framework, no logging, no metrics) that reads the body, parses the AdmissionReview and answers
// fixed bytes: a plain "allowed" (server a) or the exact bytes /mutate returned for the benchmark
// body (server b), i.e. what any Node webhook that must send this patch pays at least.
//   node bare-https-server.js <port> <cert file> <key file> <answer file>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [port, certFile, keyFile, answerFile] = process.argv.slice(2);
if (port === undefined || certFile === undefined || keyFile === undefined || answerFile === undefined) {
  process.stderr.write('usage: bare-https-server.js <port> <cert file> <key file> <answer file>\n');
  process.exit(2);
}
const answer = readFileSync(answerFile);
const ANSWER_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(answer.length) };

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let uid: unknown;
    try {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: unknown } };
      uid = review.request?.uid;
    } catch {
      uid = undefined;
    }
    if (typeof uid !== 'string') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('not an AdmissionReview');
      return;
    }
    res.writeHead(200, ANSWER_HEADERS).end(answer);
  });
});
server.listen(Number(port), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
