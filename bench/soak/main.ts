// `npm run soak -- --minutes N [--rate R] [--connections C] [--json FILE]`: the real server
// (`node dist/src/main.js serve`, pinned to one core) under a fixed rate of mixed requests
// (pipeline pods, other pods, refusals, malformed bodies) from a generator on the other core, its
// RSS, heap, event-loop delay and CPU sampled every 5 s; a row per minute, then the verdict on
// RSS growth after warm-up. Loopback only; it stops by itself after N minutes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDevCertificates } from '../../src/pki/index.js';
import { adopt, killAll, removeAtExit, stopChild } from '../run-cleanup.js';
import { LOAD_CORE, onCore, setUpPinning } from '../pinning.js';
import { freePort, startMutateServer } from '../servers/servers.js';
import { formatSoakReport, rssVerdict } from './report.js';
import { startSampler } from './sampler.js';
import type { SoakJob, SoakMessage, SoakWindow } from './soak-protocol.js';

const GENERATOR = fileURLToPath(new URL('./rate-generator.js', import.meta.url));
const WINDOW_SECONDS = 60;
const SAMPLE_INTERVAL_MS = 5000;
const MAX_MINUTES = 240;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    rate: { type: 'string', default: '300' },
    connections: { type: 'string', default: '8' },
    json: { type: 'string' },
  },
});

function positive(name: string, text: string | undefined, limit: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > limit) throw new Error(`--${name} must be an integer from 1 to ${limit}, got ${text}`);
  return value;
}

function runGenerator(job: SoakJob, launcher: readonly string[], onWindow: (window: SoakWindow) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const [command, ...prefix] = [...launcher, process.execPath, GENERATOR];
    const child = adopt(spawn(command as string, prefix, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the soak generator did not finish in time'));
    }, (job.seconds + 60) * 1000);
    child.on('message', (message: SoakMessage) => {
      if (message.kind === 'window') onWindow(message.window);
      else if (message.kind === 'done') {
        clearTimeout(timer);
        resolve(message.generatorCpuSeconds);
      } else {
        clearTimeout(timer);
        reject(new Error(message.error));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the soak generator exited (code ${code}, signal ${signal})`));
    });
    child.once('spawn', () => child.send(job));
  });
}

async function main(): Promise<void> {
  const minutes = positive('minutes', args.minutes, MAX_MINUTES);
  const rate = positive('rate', args.rate, 5000);
  const connections = positive('connections', args.connections, 256);
  const warmupMinutes = Math.max(1, Math.round(minutes / 10));
  const loadAverageStart = loadavg();
  const pinning = setUpPinning();
  const dir = removeAtExit(await mkdtemp(join(tmpdir(), 'fsi-soak-')));
  try {
    const written = await writeDevCertificates(join(dir, 'certs'));
    if (!written.ok) throw new Error(written.error.message);
    const metricsPort = await freePort();
    const server = await startMutateServer({ certFile: written.value.files.tlsCert, keyFile: written.value.files.tlsKey }, pinning, dir, metricsPort);
    process.stderr.write(`soak: ${minutes} min at ${rate} req/s against ${server.url} (pid ${server.pid}); ${pinning.description}\n`);
    const sampler = startSampler(server.pid, metricsPort, SAMPLE_INTERVAL_MS, () => loadavg()[0] ?? Number.NaN);
    const windows: SoakWindow[] = [];
    let generatorCpuSeconds = 0;
    try {
      generatorCpuSeconds = await runGenerator(
        { url: server.url, rate, seconds: minutes * 60, connections, windowSeconds: WINDOW_SECONDS },
        onCore(pinning, LOAD_CORE),
        (window) => {
          windows.push(window);
          const last = sampler.samples[sampler.samples.length - 1];
          process.stderr.write(
            `  minute ${window.index + 1}/${minutes}: ${window.latenciesMs.length} requests, RSS ${last === undefined ? 'n/a' : (last.rssBytes / 1048576).toFixed(1)} MiB\n`,
          );
        },
      );
    } finally {
      sampler.stop();
      await stopChild(server.child);
    }
    windows.sort((a, b) => a.index - b.index);
    const input = {
      rate,
      minutes,
      connections,
      windowSeconds: WINDOW_SECONDS,
      warmupMinutes,
      windows,
      samples: sampler.samples,
      generatorCpuSeconds,
      loadAverageStart,
      loadAverageEnd: loadavg(),
      pinning: pinning.description,
    };
    process.stdout.write(`${formatSoakReport(input)}\n`);
    if (args.json !== undefined) {
      const { windows: raw, ...rest } = input;
      const perMinute = raw.map(({ latenciesMs, ...w }) => ({ ...w, requests: latenciesMs.length }));
      await writeFile(args.json, `${JSON.stringify({ ...rest, windows: perMinute, rss: rssVerdict(input.samples, warmupMinutes) }, null, 2)}\n`);
    }
  } finally {
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
