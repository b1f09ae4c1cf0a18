// A containerd of the node's own: config, root, state and socket in the node's folder, the CRI
// plugin pointed at the node's CNI folders and at the local pause image. Runs as a managed process
// (its own process group); the shims it starts put themselves in their own groups, so the node's
// teardown removes every pod sandbox through the CRI first (crictl), which ends them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeCni } from './node-cni.js';
import { spawnManaged, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface Containerd {
  socket: string;
  root: string;
  state: string;
  configFile: string;
  process: ManagedProcess;
  /** Runs `ctr -a SOCKET -n k8s.io ARGS...`; throws with its stderr when it fails. */
  ctr(args: string[]): string;
  importImage(file: string): void;
}

export interface ContainerdOptions {
  dir: string;
  logFile: string;
  containerd: string;
  ctr: string;
  cni: NodeCni;
  /** Fully qualified pause image name (already importable). */
  sandboxImage: string;
  tempDir?: string;
}

function config(options: ContainerdOptions, paths: { root: string; state: string; socket: string }): string {
  const q = JSON.stringify;
  return `# Written by test/e2e/cluster/containerd.ts for one e2e node.
version = 2
root = ${q(paths.root)}
state = ${q(paths.state)}
# Only what the CRI needs (no btrfs, zfs, devmapper or aufs probing at start).
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(paths.socket)}

[ttrpc]
  address = ${q(`${paths.socket}.ttrpc`)}

[debug]
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(options.dir, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(options.sandboxImage)}
  # This VM does not grant CAP_SYS_RESOURCE: nobody may lower oom_score_adj, and runc would fail
  # every sandbox with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  enable_selinux = false
  # Pod network namespaces under our state folder, not in the host's /var/run/netns.
  netns_mounts_under_state_dir = true
  # The streaming server (exec, attach, port-forward) on loopback only.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  max_container_log_line_size = 16384
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(options.cni.binDir)}
    conf_dir = ${q(options.cni.confDir)}
    max_conf_num = 1
`;
}

export async function startContainerd(options: ContainerdOptions): Promise<Containerd> {
  const root = join(options.dir, 'root');
  const state = join(options.dir, 'state');
  const socket = join(options.dir, 'containerd.sock');
  for (const d of [root, state]) mkdirSync(d, { recursive: true });
  const configFile = join(options.dir, 'config.toml');
  writeFileSync(configFile, config(options, { root, state, socket }));

  const proc = spawnManaged({
    name: 'containerd',
    command: options.containerd,
    args: ['--config', configFile],
    logFile: options.logFile,
    tempDir: options.tempDir,
  });
  const ctr = (args: string[]): string => {
    const result = spawnSync(options.ctr, ['-a', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 120_000 });
    if (result.error !== undefined) throw new Error(`ctr ${args.join(' ')}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`ctr ${args.join(' ')} failed (exit ${String(result.status)}): ${result.stderr.trim()}`);
    return result.stdout;
  };
  await waitFor(
    `containerd at ${socket}`,
    () => {
      ctr(['version']);
      return true;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      abort: () => (proc.exitInfo() === null ? null : `containerd exited (code ${String(proc.exitInfo()?.code)}); see ${options.logFile}`),
    },
  );
  return {
    socket,
    root,
    state,
    configFile,
    process: proc,
    ctr,
    importImage: (file) => {
      ctr(['images', 'import', file]);
    },
  };
}
