// Runs one load job in a fresh load-generator child and waits for its figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load-protocol.js';

const GENERATOR = fileURLToPath(new URL('./load-generator.js', import.meta.url));

export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(GENERATOR, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    // Bounded even if the child hangs: the job's duration plus a generous margin.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new Error(`load generator did not finish within ${job.durationSeconds + 30} s`)));
    }, (job.durationSeconds + 30) * 1000);
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    child.once('message', (message: { result?: LoadResult; error?: string }) => {
      if (message.result !== undefined) finish(() => resolve(message.result as LoadResult));
      else finish(() => reject(new Error(`load generator failed: ${message.error ?? 'unknown error'}`)));
    });
    child.once('error', (error) => finish(() => reject(error)));
    child.once('exit', (code) => finish(() => reject(new Error(`load generator exited with code ${code} before reporting`))));
    child.send(job);
  });
}
