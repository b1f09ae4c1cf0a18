// `npm run bench`: the decision's own cost in-process, then /mutate over real HTTPS beside a
// no-op route served by the same process, so the ratio shows what the webhook adds on top of
// TLS + HTTP + JSON. Loopback only, bounded in time, cleans up after itself.
// BENCH_SECONDS (default 10) sets the measured seconds per route.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDevCertificates } from '../src/pki/index.js';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.js';
import { createLogger, startServer } from '../src/server/index.js';
import { measureDecisionTime } from './in-process.js';
import { runLoad } from './load-client.js';
import type { LoadJob, LoadResult } from './load-protocol.js';
import { summarise } from './load-summary.js';
import { formatReport } from './report.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/admission-review-pipeline-pod.json', import.meta.url));
const DECISION_WARMUP = 2_000;
const DECISION_ITERATIONS = 20_000;
const CONNECTIONS = 10;
const WARMUP_SECONDS = 3;
const SECONDS_PER_ROUTE = Math.max(1, Number(process.env.BENCH_SECONDS ?? 10));
const ROUNDS = Math.min(5, SECONDS_PER_ROUTE);

async function main(): Promise<void> {
  const body = await readFile(FIXTURE, 'utf8');
  const certDir = await mkdtemp(join(tmpdir(), 'fsi-bench-'));
  try {
    const written = await writeDevCertificates(certDir);
    if (!written.ok) throw new Error(written.error.message);
    const config: Config = {
      ...DEFAULT_CONFIG,
      server: { ...DEFAULT_CONFIG.server, host: '127.0.0.1', port: 0, metricsHost: '127.0.0.1', metricsPort: 0 },
      tls: { certFile: written.value.files.tlsCert, keyFile: written.value.files.tlsKey, clientCAFile: null },
    };

    // Before the server starts, so nothing else runs on this event loop.
    const decision = measureDecisionTime(body, config, DECISION_WARMUP, DECISION_ITERATIONS);

    // The production log line is part of the cost: the production logger, writing to /dev/null.
    const logger = createLogger('info', '/dev/null');
    const handle = await startServer(config, {
      logger,
      extraRoutes: (app) => {
        // Same body parsing as /mutate, no decision: the floor the webhook is compared with.
        app.post('/noop', (_request, reply) => {
          void reply.send({ ok: true });
        });
      },
    });
    try {
      const job = (path: string, durationSeconds: number): LoadJob => ({
        url: `https://127.0.0.1:${handle.port}${path}`,
        body,
        connections: CONNECTIONS,
        durationSeconds,
      });
      process.stderr.write(
        `warming up (${WARMUP_SECONDS} s per route), then ${SECONDS_PER_ROUTE} s per route in ${ROUNDS} alternating rounds...\n`,
      );
      await runLoad(job('/noop', WARMUP_SECONDS));
      await runLoad(job('/mutate', WARMUP_SECONDS));
      const noop: LoadResult[] = [];
      const mutate: LoadResult[] = [];
      const slice = SECONDS_PER_ROUTE / ROUNDS;
      for (let round = 0; round < ROUNDS; round += 1) {
        noop.push(await runLoad(job('/noop', slice)));
        mutate.push(await runLoad(job('/mutate', slice)));
      }
      const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
      process.stdout.write(
        formatReport({
          machine: `node ${process.version}, ${availableParallelism()} CPUs, ${cpu}`,
          loadAverage: loadavg()[0] ?? Number.NaN,
          fixture: relative(process.cwd(), FIXTURE),
          fixtureBytes: Buffer.byteLength(body),
          decision,
          warmup: DECISION_WARMUP,
          connections: CONNECTIONS,
          secondsPerRoute: SECONDS_PER_ROUTE,
          rounds: ROUNDS,
          noop: summarise(noop),
          mutate: summarise(mutate),
        }) + '\n',
      );
    } finally {
      await handle.close();
    }
  } finally {
    await rm(certDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
