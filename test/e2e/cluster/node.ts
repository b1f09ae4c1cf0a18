// startNodes(): real Kubernetes nodes on this machine, each a containerd and a kubelet of its own
// (own folders, sockets, ports and cgroup root), registered with a control plane started with
// `nodes`. Node i is named and addressed 127.0.0.(i+1) (see kubelet.ts) and its pods get
// 10.244.i.0/24 addresses on a sealed network (see node-cni.ts).
//
// Teardown leaves the machine as it was found, and checks it: kubelet stopped by PID; every pod
// sandbox stopped and removed through the CRI (crictl; containerd runs the CNI DEL, unmounts the
// network namespace, ends the shims); containerd stopped; any shim still serving our socket killed
// by PID; mounts under our folders and our network namespaces unmounted; the cgroups we and the
// kubelet made removed; the sysctls kubelet changed restored; the host folders that did not exist
// before removed. Then the machine is listed again and compared with the listing taken before the
// first node started (machine-state.ts): `stop()` returns the difference, and tests assert it is
// empty. The kubelet runs without iptables on its PATH and with makeIPTablesUtilChains: false, so
// it adds no chains.
//
// One set of nodes per machine at a time (the kubelet's device-plugin socket and some host folders
// are fixed paths): a lock in /tmp/feldera-e2e-node.lock makes a second run wait; a lock left by a
// dead run is taken over after undoing what that run left (its record says what).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueClientCertificate, issueServingCertificate } from '../../../src/pki/index.js';
import { startContainerd, type Containerd } from './containerd.js';
import { writeClientKubeconfig } from './kubeconfig.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import { diffMachine, describeDiff, HOST_PATHS, restoreSysctls, snapshotMachine, type MachineDiff, type MachineState } from './machine-state.js';
import { writeNodeCni } from './node-cni.js';
import { buildNodeImages, type NodeImages } from './node-images.js';
import { findNodeTools, type NodeTools } from './node-prerequisites.js';
import { must, writePem, type PemFiles } from './pki.js';
import { freePort } from './ports.js';
import { onExitSync } from './processes.js';
import { sleep, waitFor } from './wait.js';
import type { KubeRest } from './kube-rest.js';

export const NODE_LOCK_DIR = '/tmp/feldera-e2e-node.lock';
const CGROUP_ROOT = '/sys/fs/cgroup';
/** PATH of the kubelet: no /usr/sbin, so no iptables (it would add KUBE-* chains to the host). */
const KUBELET_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface NodeHandle {
  name: string;
  address: string;
  index: number;
  dir: string;
  containerd: Containerd;
  kubelet: Kubelet;
  kubeletPort: number;
  logFiles: { containerd: string; kubelet: string };
  /** crictl against this node's containerd. */
  crictl(args: string[]): string;
}

export interface NodeSet {
  nodes: NodeHandle[];
  images: NodeImages;
  /** Milliseconds from the call to every node Ready. */
  startupMs: number;
  /** Imports an OCI archive into every node's containerd. */
  importImage(file: string): void;
  logTails(lines?: number): string;
  /** Tears every node down (see above); resolves with the machine's difference from before. Idempotent. */
  stop(): Promise<MachineDiff>;
}

export interface StartNodesOptions {
  count: number;
  dir: string;
  kubelet: string;
  crictl: string;
  server: string;
  ca: PemFiles;
  rest: KubeRest;
  log: (line: string) => void;
  tail: (file: string, lines?: number) => string;
  readyTimeoutMs?: number;
  tempDir?: string;
}

interface LockRecord {
  owner: number;
  startedAt: string;
  before: MachineState;
  dirs: string[];
  sockets: string[];
  cgroupRoots: string[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(): LockRecord | null {
  try {
    return JSON.parse(readFileSync(join(NODE_LOCK_DIR, 'record.json'), 'utf8')) as LockRecord;
  } catch {
    return null;
  }
}

function writeLock(record: LockRecord): void {
  writeFileSync(join(NODE_LOCK_DIR, 'record.json'), `${JSON.stringify(record)}\n`);
}

/** Undoes the nodes of a run that died without its teardown (its lock record says what they were). */
export function cleanUpDeadNodes(log: (line: string) => void): void {
  const record = readLock();
  if (record === null || isAlive(record.owner)) return;
  log(`[e2e] nodes left by pid ${record.owner} (started ${record.startedAt}, gone): undoing what it left`);
  undo(record, log);
  rmSync(NODE_LOCK_DIR, { recursive: true, force: true });
}

async function acquireLock(log: (line: string) => void, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      mkdirSync(NODE_LOCK_DIR);
      writeLock({ owner: process.pid, startedAt: new Date().toISOString(), before: snapshotMachine(), dirs: [], sockets: [], cgroupRoots: [] });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const record = readLock();
    if (record !== null && !isAlive(record.owner)) {
      log(`[e2e] nodes left by pid ${record.owner} (started ${record.startedAt}, gone): undoing what it left`);
      undo(record, log);
      rmSync(NODE_LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (record === null) {
      // Being written right now, or a crash between mkdir and write: give it a moment.
      const age = Date.now() - statSync(NODE_LOCK_DIR).mtimeMs;
      if (age > 30_000) rmSync(NODE_LOCK_DIR, { recursive: true, force: true });
    }
    if (Date.now() > deadline) throw new Error(`another e2e run (pid ${String(record?.owner)}) holds the machine's nodes (${NODE_LOCK_DIR}) for more than ${timeoutMs / 60_000} minutes`);
    if (!said) log(`[e2e] waiting for the e2e run of pid ${String(record?.owner)} to stop its nodes (one node set per machine)`);
    said = true;
    await sleep(1000);
  }
}

function run(command: string, args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? (result.error?.message ?? '') };
}

/** Mount points under `prefix` (and our network namespaces), deepest first. */
function mountsUnder(prefixes: string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '));
  return [...new Set(points.filter((p) => prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}/`))))].sort((a, b) => b.length - a.length);
}

function unmountAll(prefixes: string[], log: (line: string) => void): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(prefixes);
    if (points.length === 0) return;
    for (const point of points) {
      if (run('umount', [point]).status !== 0) run('umount', ['-l', point]);
    }
    if (round === 4) log(`[e2e] could not unmount: ${mountsUnder(prefixes).join(', ')}`);
  }
}

/** Processes whose command line names one of our containerd sockets (shims left behind), by PID. */
function processesUsing(sockets: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (sockets.some((s) => cmdline.includes(s))) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Cgroup folders at and below `root` in every hierarchy, deepest first. */
function cgroupsUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
    out.push(dir);
  };
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    const dir = join(CGROUP_ROOT, hierarchy, root);
    if (existsSync(dir)) walk(dir);
  }
  return out;
}

/** SIGKILLs every process in the cgroups under `root` (containers whose shim is gone live on there). */
function killCgroupProcesses(root: string): number {
  let killed = 0;
  for (const dir of cgroupsUnder(root)) {
    let pids: string[] = [];
    try {
      pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      } catch {
        // gone
      }
    }
  }
  return killed;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function removeCgroups(root: string, log: (line: string) => void): void {
  const killed = killCgroupProcesses(root);
  if (killed > 0) log(`[e2e] killed ${killed} process(es) left in cgroup ${root}`);
  for (let round = 0; round < 20; round++) {
    const left = cgroupsUnder(root).filter((dir) => {
      try {
        rmdirSync(dir);
        return false;
      } catch {
        return true;
      }
    });
    if (left.length === 0) return;
    if (round === 19) log(`[e2e] cgroups not removable (still in use?): ${left.slice(0, 5).join(', ')}`);
    else sleepSync(250);
  }
}

/**
 * Undoes what a node set left (this run's teardown, or a dead run's record). Synchronous, so it
 * can run from an exit hook too.
 */
function undo(record: LockRecord, log: (line: string) => void, crictl?: { bin: string; sockets: string[] }): void {
  if (crictl !== undefined) {
    for (const socket of crictl.sockets) {
      if (!existsSync(socket)) continue;
      const result = run(crictl.bin, ['--runtime-endpoint', `unix://${socket}`, '--timeout', '30s', 'rmp', '--all', '--force'], 90_000);
      if (result.status !== 0) log(`[e2e] crictl rmp on ${socket} failed: ${result.stderr.trim()}`);
    }
  }
  for (const pid of processesUsing(record.sockets)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  // Network namespaces of our pods (containerd 1.6 puts them in /var/run/netns, a fixed path) that
  // were not there before.
  const netnsBefore = new Set(record.before.mounts.map((m) => m.split(' ')[0]));
  const netns = mountsUnder(['/run/netns', '/var/run/netns']).filter((p) => !netnsBefore.has(p));
  unmountAll([...record.dirs, ...netns], log);
  for (const path of netns) rmSync(path, { force: true });
  for (const root of record.cgroupRoots) removeCgroups(root, log);
  const restored = restoreSysctls(record.before);
  if (restored.length > 0) log(`[e2e] sysctls restored: ${restored.join(' ')}`);
  for (const path of HOST_PATHS) {
    if (!record.before.paths.includes(path) && existsSync(path)) {
      unmountAll([path], log);
      rmSync(path, { recursive: true, force: true });
    }
  }
  for (const dir of record.dirs) rmSync(dir, { recursive: true, force: true });
}

function makeCgroupRoot(root: string): void {
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    const base = join(CGROUP_ROOT, hierarchy);
    // Only mounted hierarchies (cgroup v1 controllers, name=systemd, the v2 "unified" one).
    if (!existsSync(join(base, 'cgroup.procs'))) continue;
    mkdirSync(join(base, root), { recursive: true });
  }
}

export async function startNodes(options: StartNodesOptions): Promise<NodeSet> {
  const started = Date.now();
  const { log } = options;
  const tools: NodeTools = findNodeTools();
  await acquireLock(log);
  const record = readLock() as LockRecord;
  const nodes: NodeHandle[] = [];
  let stopped: Promise<MachineDiff> | null = null;

  const images = buildNodeImages(join(options.dir, 'images'), tools);
  const importImage = (file: string): void => {
    for (const node of nodes) node.containerd.importImage(file);
  };
  const logTails = (lines = 40): string =>
    nodes
      .flatMap((n) => [
        `----- containerd ${n.name} (${n.logFiles.containerd}) -----\n${options.tail(n.logFiles.containerd, lines)}`,
        `----- kubelet ${n.name} (${n.logFiles.kubelet}) -----\n${options.tail(n.logFiles.kubelet, lines)}`,
      ])
      .join('\n');

  // However this process ends (a signal, tap's timeout, an uncaught error), the node's mounts,
  // cgroups, sysctls and folders are undone after its process groups are killed.
  const forgetExitCleanup = onExitSync(() => {
    undo(record, () => undefined);
    rmSync(NODE_LOCK_DIR, { recursive: true, force: true });
  });
  const stop = (): Promise<MachineDiff> => {
    stopped ??= (async () => {
      for (const node of [...nodes].reverse()) await node.kubelet.process.stop(10_000);
      undo(record, log, { bin: options.crictl, sockets: record.sockets });
      for (const node of [...nodes].reverse()) await node.containerd.process.stop(10_000);
      undo(record, log);
      forgetExitCleanup();
      const diff = diffMachine(record.before, snapshotMachine());
      if (!diff.clean) log(`[e2e] node teardown: ${describeDiff(diff)}`);
      rmSync(NODE_LOCK_DIR, { recursive: true, force: true });
      return diff;
    })();
    return stopped;
  };

  try {
    for (let index = 0; index < options.count; index++) {
      const address = `127.0.0.${index + 1}`;
      const name = address;
      const dir = join(options.dir, `node-${index}`);
      const cgroupRoot = `/feldera-e2e-node-${index}`;
      mkdirSync(dir, { recursive: true });
      const socket = join(dir, 'containerd', 'containerd.sock');
      record.dirs.push(dir);
      record.sockets.push(socket);
      record.cgroupRoots.push(cgroupRoot);
      writeLock(record);
      makeCgroupRoot(cgroupRoot);

      const logFiles = { containerd: join(dir, 'containerd.log'), kubelet: join(dir, 'kubelet.log') };
      const cni = writeNodeCni(join(dir, 'cni'), { subnetPrefix: `10.244.${index}`, cniLoopback: tools.cniLoopback, ip: tools.ip, nsenter: tools.nsenter });
      const containerd = await startContainerd({
        dir: join(dir, 'containerd'),
        logFile: logFiles.containerd,
        containerd: tools.containerd,
        ctr: tools.ctr,
        cni,
        sandboxImage: images.pause.name,
        tempDir: options.tempDir,
      });
      containerd.importImage(images.pause.file);
      containerd.importImage(images.shell.file);

      const pki = join(dir, 'pki');
      const client = writePem(pki, 'kubelet-client', must(issueClientCertificate(options.ca, { commonName: `system:node:${name}`, organizations: ['system:nodes'], validityDays: 7 }), 'node client certificate'));
      const serving = writePem(pki, 'kubelet-serving', must(issueServingCertificate(options.ca, { hosts: [address], validityDays: 7 }), 'kubelet serving certificate'));
      const kubeconfig = writeClientKubeconfig(join(dir, 'kubelet.kubeconfig'), { server: options.server, caFile: options.ca.certFile, certFile: client.certFile, keyFile: client.keyFile, user: `system:node:${name}` });
      const [port, healthzPort] = [await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: KUBELET_PATH };
      for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[v];
      const kubelet = startKubelet({
        dir: join(dir, 'kubelet'),
        logFile: logFiles.kubelet,
        kubelet: options.kubelet,
        nodeName: name,
        address,
        port,
        healthzPort,
        kubeconfig,
        clientCAFile: options.ca.certFile,
        tlsCertFile: serving.certFile,
        tlsKeyFile: serving.keyFile,
        containerdSocket: containerd.socket,
        cgroupRoot,
        env,
        tempDir: options.tempDir,
      });
      nodes.push({
        name,
        address,
        index,
        dir,
        containerd,
        kubelet,
        kubeletPort: port,
        logFiles,
        crictl: (args) => {
          const result = run(options.crictl, ['--runtime-endpoint', `unix://${socket}`, ...args]);
          if (result.status !== 0) throw new Error(`crictl ${args.join(' ')} failed: ${result.stderr.trim()}`);
          return result.stdout;
        },
      });
    }
    for (const node of nodes) {
      await waitFor(
        `node ${node.name} Ready`,
        async () => {
          const res = await options.rest.get<{ status?: { conditions?: Array<{ type: string; status: string; message?: string }> } }>(`/api/v1/nodes/${node.name}`);
          if (res.status !== 200) throw new Error(`GET node: HTTP ${res.status}`);
          const ready = res.body.status?.conditions?.find((c) => c.type === 'Ready');
          if (ready?.status === 'True') return true;
          throw new Error(`Ready=${ready?.status ?? '?'}: ${ready?.message ?? ''}`);
        },
        {
          timeoutMs: options.readyTimeoutMs ?? 60_000,
          intervalMs: 250,
          abort: () => {
            const dead = [node.containerd.process, node.kubelet.process].find((p) => p.exitInfo() !== null);
            return dead === undefined ? null : `${dead.name} of node ${node.name} exited (code ${String(dead.exitInfo()?.code)})`;
          },
        },
      );
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tails = logTails(60);
    await stop();
    throw new Error(`nodes failed to start: ${reason}\n${tails}`);
  }
  return { nodes, images, startupMs: Date.now() - started, importImage, logTails, stop };
}
