// Runs one job in a fresh load-generator child, started through `launcher` (taskset onto the load
// core; nsenter into a server's network namespace), and waits for its answer.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adopt } from '../run-cleanup.js';
import type { LoadJob, LoadResult, ProbeJob, ProbeResult } from './load-protocol.js';

const GENERATOR = fileURLToPath(new URL('./load-generator.js', import.meta.url));

/** The command prefix the generator is started with, e.g. ['taskset', '-c', '1']. */
export type Launcher = readonly string[];

function run<T>(launcher: Launcher, job: LoadJob | ProbeJob, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const [command, ...prefix] = [...launcher, process.execPath, GENERATOR];
    const child = adopt(spawn(command as string, [...prefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    let settled = false;
    // Bounded even if the child hangs.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new Error(`load generator did not finish within ${Math.round(timeoutMs / 1000)} s`)));
    }, timeoutMs);
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    child.once('message', (message: { result?: T; error?: string }) => {
      if (message.result !== undefined) finish(() => resolve(message.result as T));
      else finish(() => reject(new Error(`load generator failed: ${message.error ?? 'unknown error'}`)));
    });
    child.once('error', (error) => finish(() => reject(error)));
    child.once('exit', (code, signal) => finish(() => reject(new Error(`load generator exited (code ${code}, signal ${signal}) before reporting`))));
    child.once('spawn', () => child.send(job));
  });
}

export function runLoad(launcher: Launcher, job: Omit<LoadJob, 'kind'>): Promise<LoadResult> {
  return run<LoadResult>(launcher, { kind: 'load', ...job }, (job.durationSeconds + 30) * 1000);
}

export function runProbe(launcher: Launcher, job: Omit<ProbeJob, 'kind'>): Promise<ProbeResult> {
  return run<ProbeResult>(launcher, { kind: 'probe', ...job }, job.timeoutMs + 15_000);
}
