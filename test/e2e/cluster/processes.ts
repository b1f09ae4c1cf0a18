// Child processes that never outlive the harness. Every process is spawned detached (its own
// process group) and stopped by signalling the whole group, so whatever it forked goes too.
// Three layers make sure nothing is left behind:
//   1. stop() / stopAll(): SIGTERM the group, SIGKILL it after a grace period;
//   2. process 'exit' and SIGINT/SIGTERM/SIGHUP handlers: SIGKILL every live group synchronously;
//   3. a pid file per process under .cache/e2e/pids: the next run kills groups whose owner died
//      without cleaning up (SIGKILL of the test process, a crash of node itself).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { stateDir } from './paths.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name for messages and the pid file (etcd, kube-apiserver, webhook ...). */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each stdout line, as well as writing it to logFile (the webhook's JSON log). */
  onStdoutLine?: (line: string) => void;
  /** A temp folder that belongs to this process: a later run removes it if we die without cleaning up. */
  tempDir?: string;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** null while running. */
  exitInfo(): ExitInfo | null;
  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<StopResult>;
}

export interface StopResult extends ExitInfo {
  /** True when it was still running after the grace period and had to be killed. */
  escalated: boolean;
}

interface PidRecord {
  pid: number;
  owner: number;
  name: string;
  command: string;
  startedAt: string;
  tempDir?: string;
}

const live = new Map<number, ManagedProcess>();
/** Folders removed at exit (temp dirs of control planes), unless kept for debugging. */
const dirsToRemove = new Set<string>();

function pidDir(): string {
  return join(stateDir(), 'pids');
}

export function spawnManaged(options: SpawnOptions): ManagedProcess {
  installExitHooks();
  const logFd = openSync(options.logFile, 'a');
  const piped = options.onStdoutLine !== undefined;
  let child;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', piped ? 'pipe' : logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // spawn reports ENOENT and friends asynchronously, but without a pid nothing was started.
    throw new Error(`cannot start ${options.name} (${options.command}): spawn failed`);
  }
  let exit: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(pid);
      removePidFile(pid);
      resolve(exit);
    });
    child.on('error', (error) => {
      appendFileSync(options.logFile, `\n[harness] ${options.name}: ${error.message}\n`);
      if (child.exitCode === null && child.signalCode === null && exit === null) {
        exit = { code: -1, signal: null };
        live.delete(pid);
        removePidFile(pid);
        resolve(exit);
      }
    });
  });
  if (piped && child.stdout !== null) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        appendFileSync(options.logFile, `${line}\n`);
      } catch {
        // The folder was removed while the last lines were in flight (dispose during shutdown).
      }
      options.onStdoutLine?.(line);
    });
  }

  const handle: ManagedProcess = {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    exitInfo: () => exit,
    async stop(graceMs = 5000) {
      if (exit !== null) return { ...exit, escalated: false };
      let escalated = false;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        escalated = true;
        signalGroup(pid, 'SIGKILL');
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it forked is left in its group.
      signalGroup(pid, 'SIGKILL');
      return { ...info, escalated };
    },
  };
  live.set(pid, handle);
  writePidFile({ pid, owner: process.pid, name: options.name, command: options.command, startedAt: new Date().toISOString(), tempDir: options.tempDir });
  return handle;
}

/** Stops every process this harness started, in reverse start order. */
export async function stopAll(graceMs = 5000): Promise<void> {
  for (const proc of [...live.values()].reverse()) await proc.stop(graceMs);
}

/** Removes `dir` when the process exits, however it exits (unless E2E_KEEP_DIR is set). */
export function removeAtExit(dir: string): void {
  installExitHooks();
  dirsToRemove.add(dir);
}

export function forgetRemoveAtExit(dir: string): void {
  dirsToRemove.delete(dir);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Synchronous clean-ups run at exit after every group is killed (a node's mounts, cgroups, sysctls). */
const exitCleanups = new Set<() => void>();

export function onExitSync(cleanup: () => void): () => void {
  installExitHooks();
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

function killAllSync(): void {
  for (const pid of live.keys()) {
    signalGroup(pid, 'SIGKILL');
    removePidFile(pid);
  }
  live.clear();
  for (const cleanup of [...exitCleanups]) {
    try {
      cleanup();
    } catch (error) {
      process.stderr.write(`[e2e] exit clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  exitCleanups.clear();
  if (process.env.E2E_KEEP_DIR === undefined) {
    for (const dir of dirsToRemove) rmSync(dir, { recursive: true, force: true });
  }
  dirsToRemove.clear();
}

let hooksInstalled = false;
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
let gracefulShutdown: ((signal: NodeJS.Signals) => Promise<void>) | null = null;
let shuttingDown = false;

/**
 * What a signal does. Default (tests): SIGKILL every process group and exit 128+n at once.
 * With a handler (the `cluster` command): the first signal runs it (a graceful stop) with a
 * deadline, then kills whatever is left and exits 0; a second signal kills at once.
 */
export function onSignal(handler: ((signal: NodeJS.Signals) => Promise<void>) | null, deadlineMs = 30_000): void {
  installExitHooks();
  gracefulShutdown = handler === null ? null : (signal) => Promise.race([handler(signal), new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref())]);
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  // tap's timeout: SIGALRM, then SIGKILL if the test does not end soon enough. tap handles the
  // signal itself; we only make sure nothing of ours survives a SIGKILL that may follow.
  process.on('SIGALRM', () => {
    if (live.size > 0) process.stderr.write(`\n[e2e] SIGALRM (test timeout): killing ${[...live.values()].map((p) => `${p.name} (${p.pid})`).join(', ')}\n`);
    killAllSync();
    if (process.listenerCount('SIGALRM') === 1) process.exit(128 + 14);
  });
  for (const signal of Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[]) {
    process.on(signal, () => {
      const code = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
      if (gracefulShutdown !== null && !shuttingDown) {
        shuttingDown = true;
        const shutdown = gracefulShutdown;
        void shutdown(signal)
          .catch((error: unknown) => process.stderr.write(`[e2e] shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`))
          .finally(() => {
            killAllSync();
            process.exit(0);
          });
        return;
      }
      if (live.size > 0) process.stderr.write(`\n[e2e] ${signal}: killing ${[...live.values()].map((p) => `${p.name} (${p.pid})`).join(', ')}\n`);
      killAllSync();
      process.exit(code);
    });
  }
}

function writePidFile(record: PidRecord): void {
  mkdirSync(pidDir(), { recursive: true });
  writeFileSync(join(pidDir(), `${record.pid}.json`), `${JSON.stringify(record)}\n`);
}

function removePidFile(pid: number): void {
  rmSync(join(pidDir(), `${pid}.json`), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a running process, when the platform tells (Linux /proc). */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/**
 * Kills process groups left by earlier runs whose owner (the node process that started them) is
 * gone. A pid that was recycled for an unrelated program is left alone: its command line must
 * still name the binary we started.
 */
export function killStaleProcesses(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  const dir = pidDir();
  if (!existsSync(dir)) return 0;
  let killed = 0;
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    const path = join(dir, file);
    let record: PidRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as PidRecord;
    } catch {
      rmSync(path, { force: true });
      continue;
    }
    if (record.owner !== process.pid && isAlive(record.owner)) continue; // another run in progress
    if (record.owner === process.pid && live.has(record.pid)) continue;
    if (isAlive(record.pid)) {
      const cmdline = commandLine(record.pid);
      if (cmdline === null || cmdline.includes(basename(record.command))) {
        log(`[e2e] killing stale ${record.name} (pid ${record.pid}, started ${record.startedAt} by pid ${record.owner}, which is gone)`);
        signalGroup(record.pid, 'SIGKILL');
        killed++;
      }
    }
    if (record.tempDir !== undefined && process.env.E2E_KEEP_DIR === undefined && existsSync(record.tempDir)) {
      log(`[e2e] removing stale ${record.tempDir}`);
      try {
        rmSync(record.tempDir, { recursive: true, force: true });
      } catch (error) {
        log(`[e2e] cannot remove ${record.tempDir}: ${(error as Error).message}`);
      }
    }
    rmSync(path, { force: true });
  }
  return killed;
}

/** The last `lines` lines of a log file, for failure reports. */
export function tail(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}
