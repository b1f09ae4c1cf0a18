// Child process: /mutate's own server (fastify, the admission handler, its log line and metrics,
// the body deadline) with decide() replaced by the decision for the benchmark body, computed once
// at start (server e). What it serves is the most /mutate can reach on this path with a decision
// that costs nothing: the ceiling of `/mutate ÷ (b)` that no work on decide() can raise.
//   node fixed-decision-server.js <port> <cert file> <key file> <body file>
import { readFileSync } from 'node:fs';
import { parseReview } from '../../src/admission/review.js';
import { NO_CLUSTER } from '../../src/cluster/context.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { decide } from '../../src/decide.js';
import { createLogger, startServer } from '../../src/server/index.js';

const [port, certFile, keyFile, bodyFile] = process.argv.slice(2);
if (port === undefined || certFile === undefined || keyFile === undefined || bodyFile === undefined) {
  process.stderr.write('usage: fixed-decision-server.js <port> <cert file> <key file> <body file>\n');
  process.exit(2);
}
const review = parseReview(JSON.parse(readFileSync(bodyFile, 'utf8')));
if (!review.ok) {
  process.stderr.write(`the benchmark body is not an AdmissionReview: ${review.error.message}\n`);
  process.exit(2);
}
const config: Config = {
  ...DEFAULT_CONFIG,
  server: { ...DEFAULT_CONFIG.server, host: '127.0.0.1', port: Number(port), metricsHost: '127.0.0.1', metricsPort: 0 },
  tls: { ...DEFAULT_CONFIG.tls, certFile, keyFile },
};
const fixed = decide(review.value, config, NO_CLUSTER);
const server = await startServer(config, { logger: createLogger(config.log.level), decide: () => fixed });
process.once('SIGTERM', () => void server.close());
