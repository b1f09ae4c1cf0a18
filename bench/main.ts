// `npm run bench`: what an admission costs, compared like with like.
//   1. The decision in-process (parseReview + decide) on the example review: median and p99.
//   2. Over real HTTPS, each server pinned to one core and the load generator to the other, in
//      alternating rounds: (a) bare Node answering "allowed", (b) bare Node answering the exact
//      bytes /mutate returns, (c) /mutate, (d) Kubernetes' agnhost webhook, (e) /mutate's server
//      with the decision computed once (what the server path costs without deciding).
//   3. The cost curve (pod size, sidecar count) and the slowest known inputs.
// Loopback only, bounded in time, every child killed at the end. Figures, never a pass/fail exit.
//   node dist/bench/main.js [--seconds N] [--rounds N] [--skip-http] [--skip-curve] [--json FILE]
// BENCH_SECONDS (default 10) is --seconds: measured seconds per server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDevCertificates } from '../src/pki/index.js';
import { killAll, removeAtExit, stopChild } from './run-cleanup.js';
import { measureDecisions } from './decision/cost-curve.js';
import { EXAMPLE_REVIEW_FILE } from './decision/review-builder.js';
import { compareServers, type Generator, type HttpPlan } from './http-comparison.js';
import { prepareWrk, wrkAvailable } from './load/wrk-load.js';
import { onCore, SERVER_CORE, setUpPinning, type Pinning } from './pinning.js';
import { formatReport, type HttpSection } from './report.js';
import { post, startAgnhost, startBareServer, startFixedDecisionServer, startMutateServer, type BenchServer, type Certificates } from './servers/servers.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    'skip-http': { type: 'boolean', default: false },
    'skip-curve': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const SECONDS_PER_SERVER = Math.max(1, Number(args.seconds ?? process.env.BENCH_SECONDS ?? 10));
const ROUNDS = Math.max(1, Math.min(Number(args.rounds ?? 5), SECONDS_PER_SERVER));
const CONNECTIONS = Math.max(1, Number(args.connections ?? 10));
const WARMUP_SECONDS = 3;
const CURVE_BUDGET = { warmupIterations: 200, warmupSeconds: 0.5, samples: 2_000, seconds: 2 };
const LIMITS = { decisionTimeoutMs: 20_000, buildTimeoutMs: 30_000 };

interface Answer {
  status: number;
  body: string;
}

/** The answer every server gives the body before it is measured: a wrong one makes figures meaningless. */
async function preflight(server: BenchServer, body: string, uid: string): Promise<Answer> {
  const answer = await post(server, body);
  let response: { uid?: unknown; allowed?: unknown; patch?: unknown } | undefined;
  try {
    response = (JSON.parse(answer.body) as { response?: typeof response }).response;
  } catch {
    response = undefined;
  }
  if (answer.status !== 200 || response?.uid !== uid || response.allowed !== true) {
    throw new Error(`${server.label} answered the benchmark body with HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}

/** wrk when installed (BENCH_LOAD_GENERATOR=autocannon forces autocannon): see load/wrk-load.ts for why. */
function chooseGenerator(body: string, dir: string): Generator {
  const wanted = process.env.BENCH_LOAD_GENERATOR ?? 'wrk';
  if (wanted === 'wrk' && wrkAvailable()) return { name: 'wrk', files: prepareWrk(dir, body) };
  if (wanted === 'wrk') process.stderr.write('load generator: wrk is not installed (apt-get install wrk); falling back to autocannon, which may limit (a) and (b)\n');
  return { name: 'autocannon' };
}

async function httpSection(body: string, certs: Certificates, pinning: Pinning, dir: string): Promise<HttpSection> {
  const review = JSON.parse(body) as { apiVersion: string; request: { uid: string } };
  const uid = review.request.uid;
  const servers: BenchServer[] = [];
  try {
    const mutate = await startMutateServer(certs, pinning, dir);
    servers.push(mutate);
    const mutateAnswer = await preflight(mutate, body, uid);
    if (!mutateAnswer.body.includes('"patch"')) throw new Error('/mutate did not patch the example pod: the benchmark would not measure an injection');
    const allowedBytes = JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid, allowed: true } });
    const bare = await startBareServer('a', '(a) bare Node, "allowed"', allowedBytes, certs, pinning, dir);
    const same = await startBareServer('b', '(b) bare Node, /mutate bytes', mutateAnswer.body, certs, pinning, dir);
    servers.unshift(bare, same);
    const answers: Record<string, Answer> = { a: await preflight(bare, body, uid), b: await preflight(same, body, uid), c: mutateAnswer };
    if (answers.b?.body !== mutateAnswer.body) throw new Error('(b) does not answer the bytes /mutate answers');
    const fixed = await startFixedDecisionServer(body, certs, pinning, dir);
    servers.push(fixed);
    answers.e = await preflight(fixed, body, uid);
    if (answers.e.body !== mutateAnswer.body) throw new Error('(e) does not answer the bytes /mutate answers');
    const agnhost = await startAgnhost(certs, pinning, dir);
    let agnhostMissing: string | null = null;
    let agnhostVersion = '';
    if (agnhost.ok) {
      servers.push(agnhost.server);
      agnhostVersion = agnhost.version;
      answers.d = await preflight(agnhost.server, body, uid);
      if (!answers.d.body.includes('"patch"')) throw new Error(`agnhost did not patch the pod: ${answers.d.body.slice(0, 300)}`);
    } else {
      agnhostMissing = agnhost.reason;
      process.stderr.write(`agnhost: not measured: ${agnhost.reason}\n`);
    }
    const generator = chooseGenerator(body, dir);
    process.stderr.write(`load generator: ${generator.name}\n`);
    const plan: HttpPlan = { generator, body, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, secondsPerServer: SECONDS_PER_SERVER, rounds: ROUNDS };
    const figures = await compareServers(servers, plan);
    const answerBytes = Object.fromEntries(Object.entries(answers).map(([id, answer]) => [id, Buffer.byteLength(answer.body)]));
    return { plan, servers: figures, answerBytes, agnhostMissing, agnhostVersion, loadAverageEnd: loadavg() };
  } finally {
    for (const server of servers) await stopChild(server.child);
  }
}

async function main(): Promise<void> {
  const loadAverageStart = loadavg();
  // Before pinning: afterwards this process sees only its own core.
  const cpuCount = availableParallelism();
  const pinning = setUpPinning();
  process.stderr.write(`benchmark: ${pinning.description}; load average ${loadAverageStart.map((l) => l.toFixed(2)).join(' ')}\n`);
  const body = await readFile(EXAMPLE_REVIEW_FILE, 'utf8');
  const dir = removeAtExit(await mkdtemp(join(tmpdir(), 'fsi-bench-')));
  try {
    const written = await writeDevCertificates(join(dir, 'certs'));
    if (!written.ok) throw new Error(written.error.message);
    const certs: Certificates = { certFile: written.value.files.tlsCert, keyFile: written.value.files.tlsKey };

    // Decisions first, while no server runs.
    const decisions = await measureDecisions(onCore(pinning, SERVER_CORE), { curveBudget: CURVE_BUDGET, limits: LIMITS, skipCurve: args['skip-curve'] });
    const http = args['skip-http'] ? null : await httpSection(body, certs, pinning, dir);

    const report = {
      machine: `node ${process.version}, ${cpuCount} CPUs, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      pinning: pinning.description,
      loadAverageStart,
      fixture: relative(process.cwd(), EXAMPLE_REVIEW_FILE),
      fixtureBytes: Buffer.byteLength(body),
      decisions,
      http,
      loadAverageEnd: loadavg(),
    };
    process.stdout.write(`${formatReport(report)}\n`);
    if (args.json !== undefined) await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
