// `npm run fuzz -- --runs N [--seed S] [--workers W]`: the long mode of the property tests. The
// same properties as test/fuzz/decide.test.ts, spread over one process per core, each with its
// own seed and config; prints the count, the time, and every counterexample (also written to
// .cache/fuzz/ as JSON, to replay with FUZZ_SEED).
import fc from 'fast-check';
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { review } from './arbitraries.js';
import { checkReview } from './properties.js';

const CONFIGS: Record<string, Config> = {
  default: DEFAULT_CONFIG,
  policed: {
    ...DEFAULT_CONFIG,
    policy: {
      ...DEFAULT_CONFIG.policy,
      allowedImages: { patterns: ['registry.example.com/*/*/*:stable', 'ubuntu:*', '*?*'], action: 'enforce' },
      resourceCaps: { requests: {}, limits: { cpu: '2', memory: '2Gi' }, action: 'warn' },
      podSecurity: { level: 'restricted', action: 'warn' },
    },
  },
  all: { ...DEFAULT_CONFIG, sidecars: { ...DEFAULT_CONFIG.sidecars, placement: 'all' } },
};

interface WorkerResult {
  runs: number;
  failures: { seed: number; path: string; problems: string[] }[];
  /** Counterexamples that passed when checked again: a time bound missed once on a busy machine. */
  transient: number;
  slowestMsPerKb: number;
  slowestBytes: number;
}

async function worker(runs: number, seed: number, configName: string): Promise<WorkerResult> {
  const config = CONFIGS[configName] ?? DEFAULT_CONFIG;
  const result: WorkerResult = { runs: 0, failures: [], transient: 0, slowestMsPerKb: 0, slowestBytes: 0 };
  const chunk = 10_000;
  for (let done = 0; done < runs; done += chunk) {
    const chunkSeed = seed + done;
    const out = fc.check(
      fc.property(review, (r) => {
        const checked = checkReview(r, config);
        const perKb = checked.ms / Math.max(1, checked.bytes / 1024);
        if (perKb > result.slowestMsPerKb) {
          result.slowestMsPerKb = perKb;
          result.slowestBytes = checked.bytes;
        }
        return checked.problems.length === 0;
      }),
      { numRuns: Math.min(chunk, runs - done), seed: chunkSeed },
    );
    result.runs += out.numRuns;
    if (out.failed && out.counterexample !== null) {
      const problems = checkReview(out.counterexample[0], config).problems;
      // fast-check stops a chunk at its first failure; one that does not fail again was the
      // machine (a time bound missed under load), not the input: counted, and the chunk's
      // remaining runs are not lost.
      if (problems.length === 0) {
        result.transient += 1;
        done -= Math.min(chunk, runs - done) - out.numRuns;
        continue;
      }
      const dir = join(process.cwd(), '.cache', 'fuzz');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `counterexample-${configName}-${chunkSeed}.json`);
      writeFileSync(path, JSON.stringify(out.counterexample[0], null, 2));
      result.failures.push({ seed: chunkSeed, path, problems });
    }
  }
  return result;
}

if (process.env.FUZZ_WORKER !== undefined) {
  const [runs, seed, configName] = process.env.FUZZ_WORKER.split(',');
  const result = await worker(Number(runs), Number(seed), configName ?? 'default');
  process.send?.(result);
} else {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' }, workers: { type: 'string' } } });
  const runs = Number(values.runs);
  const workers = Number(values.workers ?? availableParallelism());
  const seed = Number(values.seed ?? Date.now() % 1_000_000_000);
  const names = Object.keys(CONFIGS);
  const start = Date.now();
  process.stdout.write(`fuzz: ${runs} generated reviews over ${workers} processes, seed ${seed}, configs ${names.join(', ')}\n`);
  const results = await Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const share = Math.floor(runs / workers) + (i < runs % workers ? 1 : 0);
      return new Promise<WorkerResult>((resolve, reject) => {
        const child = fork(process.argv[1] ?? '', [], {
          env: { ...process.env, FUZZ_WORKER: `${share},${seed + i * 1_000_003},${names[i % names.length]}` },
          execArgv: process.execArgv,
        });
        child.once('message', (message) => resolve(message as WorkerResult));
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`fuzz worker ${i} exited with ${code}`))));
      });
    }),
  );
  const total = results.reduce((n, r) => n + r.runs, 0);
  const failures = results.flatMap((r) => r.failures);
  const transient = results.reduce((n, r) => n + r.transient, 0);
  const slowest = results.reduce((a, r) => (r.slowestMsPerKb > a.slowestMsPerKb ? r : a));
  const seconds = (Date.now() - start) / 1000;
  process.stdout.write(
    `fuzz: ${total} reviews in ${seconds.toFixed(0)} s (${Math.round(total / seconds)} per second), ${failures.length} failing seeds, ${transient} time outliers not repeated on a second check; ` +
      `slowest decision ${(slowest.slowestMsPerKb * 1000).toFixed(1)} µs per KB (a ${(slowest.slowestBytes / 1024).toFixed(1)} KB review)\n`,
  );
  for (const f of failures) process.stdout.write(`- seed ${f.seed}: ${f.problems.join('; ')} (input: ${f.path})\n`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}
