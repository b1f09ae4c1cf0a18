// Runs one input's timing in its own child process, pinned to the server core, and turns whatever
// happens into a result: figures, an error decide() threw, a decision slower than the limit
// (killed), or a crash (exit code or signal, with the end of its stderr).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adopt } from '../run-cleanup.js';
import type { Launcher } from '../load/load-client.js';
import type { DecisionTiming, TimingBudget } from './timing.js';
import type { TimingJob, TimingMessage } from './timing-protocol.js';

const CHILD = fileURLToPath(new URL('./timing-child.js', import.meta.url));

export type TimingOutcome =
  | { status: 'ok'; bytes: number; timing: DecisionTiming }
  | { status: 'threw'; bytes: number; error: string }
  | { status: 'timed out'; bytes: number; detail: string }
  | { status: 'crashed'; bytes: number; detail: string };

export interface TimingLimits {
  /** Longest one decision may take before the child is killed. */
  decisionTimeoutMs: number;
  /** Longest the input may take to build. */
  buildTimeoutMs: number;
}

export function timeInput(launcher: Launcher, input: string, budget: TimingBudget, limits: TimingLimits): Promise<TimingOutcome> {
  return new Promise((resolve) => {
    const [command, ...prefix] = [...launcher, process.execPath, CHILD];
    const child = adopt(spawn(command as string, prefix, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let bytes = 0;
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (outcome: TimingOutcome): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    const arm = (ms: number, detail: string): void => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => finish({ status: 'timed out', bytes, detail }), ms);
    };
    arm(limits.buildTimeoutMs, `building the input took over ${limits.buildTimeoutMs / 1000} s`);
    child.on('message', (message: TimingMessage) => {
      if (message.kind === 'built') {
        bytes = message.bytes;
        arm(limits.decisionTimeoutMs, `one decision took over ${limits.decisionTimeoutMs / 1000} s (killed)`);
      } else if (message.kind === 'first') {
        // The rest is bounded by the budget; allow it, plus slack, plus one more slow decision.
        const rest = (budget.warmupSeconds + budget.seconds) * 1000 + 2 * Math.max(message.us / 1000, 1000) + limits.decisionTimeoutMs;
        arm(rest, `the timing loop did not end within ${Math.round(rest / 1000)} s (killed)`);
      } else if (message.kind === 'result') finish({ status: 'ok', bytes, timing: message.timing });
      else finish({ status: 'threw', bytes, error: message.error });
    });
    child.once('exit', (code, signal) => {
      // A result sent just before a normal exit may still be in the IPC pipe: read it first.
      setTimeout(() => crashed(code, signal), 100);
    });
    const crashed = (code: number | null, signal: NodeJS.Signals | null): void => {
      const last = stderr.trim().split('\n').filter((line) => line.trim() !== '').slice(-3).join(' | ');
      finish({ status: 'crashed', bytes, detail: `exit code ${code}, signal ${signal}${last === '' ? '' : `: ${last.slice(0, 400)}`}` });
    };
    child.once('spawn', () => child.send({ input, budget } satisfies TimingJob));
  });
}
