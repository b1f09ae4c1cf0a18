// The four servers the benchmark compares, each a child process pinned to the server core:
//   (a) bare node:https, parses the review, answers a fixed "allowed";
//   (b) the same, answering the exact bytes /mutate returned for the benchmark body;
//   (c) the real webhook (`node dist/src/main.js serve`), POST /mutate;
//   (d) Kubernetes' own e2e webhook, `agnhost webhook`, POST /mutating-pods-sidecar;
//   (e) the webhook's own server with the decision for the benchmark body computed once (the
//       ceiling of (c) on this path: everything but decide()).
// agnhost has no listen-address flag (it binds every interface), so it runs in a network namespace
// of its own that has only loopback, and its load generators join that namespace (nsenter).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adopt } from '../run-cleanup.js';
import { runProbe, type Launcher } from '../load/load-client.js';
import type { ProbeResult } from '../load/load-protocol.js';
import { LOAD_CORE, onCore, SERVER_CORE, type Pinning } from '../pinning.js';

export type ServerId = 'a' | 'b' | 'c' | 'd' | 'e';

export interface BenchServer {
  id: ServerId;
  /** How the report names it. */
  label: string;
  /** POST target of the load. */
  url: string;
  /** The process whose CPU time is sampled (the server itself, not a wrapper). */
  pid: number;
  /** Command prefix that starts a load generator able to reach url. */
  launcher: Launcher;
  child: ChildProcess;
  logFile: string;
}

export interface Certificates {
  certFile: string;
  keyFile: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEBHOOK_ENTRY = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-https-server.js', import.meta.url));
const FIXED_DECISION_SERVER = fileURLToPath(new URL('./fixed-decision-server.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts `command` with stdout to /dev/null (a server's per-request log stays a real write) and stderr to logFile. */
function startProcess(command: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const out = openSync('/dev/null', 'w');
  const err = openSync(logFile, 'w');
  try {
    const [file, ...args] = command;
    return adopt(spawn(file as string, args, { stdio: ['ignore', out, err], env }));
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

async function waitReady(server: BenchServer, readyUrl: string): Promise<void> {
  const exited = new Promise<never>((_, reject) => {
    server.child.once('exit', (code, signal) =>
      reject(new Error(`${server.label} exited (code ${code}, signal ${signal}) while starting:\n${logTail(server.logFile)}`)),
    );
  });
  const probe = runProbe(server.launcher, { url: readyUrl, method: 'GET', timeoutMs: READY_TIMEOUT_MS }).then((answer) => {
    if (answer.status !== 200) throw new Error(`${server.label}: ${readyUrl} answered ${answer.status}`);
  });
  await Promise.race([probe, exited]);
}

/** One POST of the benchmark body: the answer the load will get, checked before measuring. */
export function post(server: BenchServer, body: string): Promise<ProbeResult> {
  return runProbe(server.launcher, { url: server.url, method: 'POST', body, timeoutMs: 5000 });
}

/** A server child on the server core answering POST `path` on `port`, ready when /readyz answers 200. */
async function startedLocal(id: ServerId, label: string, port: number, path: string, child: ChildProcess, logFile: string, pinning: Pinning): Promise<BenchServer> {
  const server: BenchServer = { id, label, url: `https://127.0.0.1:${port}${path}`, pid: child.pid ?? 0, launcher: onCore(pinning, LOAD_CORE), child, logFile };
  await waitReady(server, `https://127.0.0.1:${port}/readyz`);
  return server;
}

export async function startBareServer(
  id: 'a' | 'b',
  label: string,
  answer: string,
  certs: Certificates,
  pinning: Pinning,
  dir: string,
): Promise<BenchServer> {
  const port = await freePort();
  const answerFile = join(dir, `answer-${id}.json`);
  writeFileSync(answerFile, answer);
  const logFile = join(dir, `server-${id}.log`);
  const child = startProcess([...onCore(pinning, SERVER_CORE), process.execPath, BARE_SERVER, String(port), certs.certFile, certs.keyFile, answerFile], logFile);
  return startedLocal(id, label, port, '/review', child, logFile, pinning);
}

/** Server (e): /mutate's server, answering the decision computed once for `body`. */
export async function startFixedDecisionServer(body: string, certs: Certificates, pinning: Pinning, dir: string): Promise<BenchServer> {
  const port = await freePort();
  const bodyFile = join(dir, 'body-e.json');
  writeFileSync(bodyFile, body);
  const logFile = join(dir, 'server-e.log');
  const child = startProcess([...onCore(pinning, SERVER_CORE), process.execPath, FIXED_DECISION_SERVER, String(port), certs.certFile, certs.keyFile, bodyFile], logFile);
  return startedLocal('e', '(e) /mutate, decision fixed', port, '/mutate', child, logFile, pinning);
}

export async function startMutateServer(certs: Certificates, pinning: Pinning, dir: string, metricsPort = 0): Promise<BenchServer> {
  const port = await freePort();
  const sets: Record<string, string | number> = {
    'server.host': '127.0.0.1',
    'server.port': port,
    'server.metricsHost': '127.0.0.1',
    'server.metricsPort': metricsPort,
    'tls.certFile': certs.certFile,
    'tls.keyFile': certs.keyFile,
  };
  const args = Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`]);
  // Only what we pass configures it: no SIDECAR_INJECTOR_* from the caller's environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIDECAR_INJECTOR_')));
  const logFile = join(dir, 'server-c.log');
  const child = startProcess([...onCore(pinning, SERVER_CORE), process.execPath, WEBHOOK_ENTRY, 'serve', ...args], logFile, env);
  return startedLocal('c', '(c) /mutate', port, '/mutate', child, logFile, pinning);
}

export type AgnhostStart = { ok: true; server: BenchServer; version: string } | { ok: false; reason: string };

/** k8s.io/kubernetes version agnhost is pinned to (scripts/kube-build/agnhost/go.mod). */
function pinnedAgnhostVersion(): string {
  const goMod = readFileSync(join(REPO_ROOT, 'scripts', 'kube-build', 'agnhost', 'go.mod'), 'utf8');
  return /^\s*(?:require\s+)?k8s\.io\/kubernetes (v\S+)/m.exec(goMod)?.[1] ?? 'unknown';
}

/**
 * The cached agnhost when its stamp names the pinned version; otherwise builds it with
 * scripts/kube-binaries.sh agnhost. (The script serialises on a lock other builds of the shared
 * cache hold for minutes, so a binary already there is not re-checked through it.)
 */
function ensureAgnhost(): { ok: true; path: string } | { ok: false; reason: string } {
  const binDir = process.env.KUBE_BIN_DIR ?? join(REPO_ROOT, '.cache', 'kube', 'bin');
  const path = join(binDir, 'agnhost');
  const version = pinnedAgnhostVersion();
  let stamp = '';
  try {
    stamp = readFileSync(`${path}.stamp`, 'utf8');
  } catch {
    stamp = '';
  }
  if (existsSync(path) && stamp.startsWith(`agnhost ${version} `)) return { ok: true, path };
  process.stderr.write(`agnhost ${version}: not in ${binDir}; building it with scripts/kube-binaries.sh agnhost (about a minute cold)\n`);
  const built = spawnSync(join(REPO_ROOT, 'scripts', 'kube-binaries.sh'), ['agnhost'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}` },
  });
  if (built.error !== undefined || built.status !== 0) {
    return { ok: false, reason: `scripts/kube-binaries.sh agnhost failed (${built.error?.message ?? `exit ${built.status}`}); its output is above` };
  }
  return { ok: true, path };
}

export async function startAgnhost(certs: Certificates, pinning: Pinning, dir: string): Promise<AgnhostStart> {
  const binary = ensureAgnhost();
  if (!binary.ok) return binary;
  const version = spawnSync(binary.path, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const netns = spawnSync('unshare', ['--net', '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (netns.error !== undefined || netns.status !== 0) {
    return { ok: false, reason: `cannot make a network namespace for it (unshare --net: ${netns.error?.message ?? netns.stderr.trim()}); agnhost binds every interface, so it only runs isolated` };
  }
  const port = await freePort();
  const logFile = join(dir, 'server-d.log');
  const command = [
    'unshare',
    '--net',
    '--',
    'sh',
    '-c',
    'ip link set lo up && exec "$0" "$@"',
    ...onCore(pinning, SERVER_CORE),
    binary.path,
    'webhook',
    `--tls-cert-file=${certs.certFile}`,
    `--tls-private-key-file=${certs.keyFile}`,
    `--port=${port}`,
    // Without it /mutating-pods-sidecar refuses every pod (500): it is the image the patch adds.
    '--sidecar-image=registry.example.com/webhook-added-sidecar:1.0',
  ];
  const child = startProcess(command, logFile);
  const pid = child.pid ?? 0;
  // `unshare` makes the namespace a moment after it starts: a load generator that nsenters before
  // that joins this host's namespace and finds nothing listening.
  const own = readlinkSync('/proc/self/ns/net');
  const isolated = async (): Promise<boolean> => {
    for (const end = Date.now() + 5000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 20))) {
      try {
        if (readlinkSync(`/proc/${pid}/ns/net`) !== own) return true;
      } catch {
        return false;
      }
    }
    return false;
  };
  if (!(await isolated())) {
    child.kill('SIGKILL');
    return { ok: false, reason: `its network namespace did not appear within 5 s:\n${logTail(logFile)}` };
  }
  const server: BenchServer = {
    id: 'd',
    label: '(d) agnhost webhook',
    url: `https://127.0.0.1:${port}/mutating-pods-sidecar`,
    pid,
    launcher: ['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...onCore(pinning, LOAD_CORE)],
    child,
    logFile,
  };
  try {
    await waitReady(server, `https://127.0.0.1:${port}/readyz`);
  } catch (error) {
    child.kill('SIGKILL');
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, server, version };
}
