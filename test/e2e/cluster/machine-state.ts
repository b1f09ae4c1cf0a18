// What a node changes on the machine, listed before it starts and after its teardown, so the
// teardown can undo what it must (sysctls) and prove the machine is as it was found: mounts,
// iptables rules and chains (IPv4 and IPv6), cgroups (see cgroupDirs), the sysctls the kubelet sets, the host folders kubelet and containerd use,
// and our own processes. Other runs on the machine (other worktrees' control planes) add no mounts,
// cgroups, rules or folders, so a difference is ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What kubelet 1.34 sets (setupKernelTunables) and containerd may: restored by the teardown. */
export const NODE_SYSCTLS = ['vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops', 'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes'];

/** Host folders kubelet and containerd write to even when told to use others (fixed paths). */
export const HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/lib/containerd',
  '/run/containerd',
  '/run/netns',
  '/var/run/netns',
  '/var/log/pods',
  '/var/log/containers',
  '/var/lib/cni',
  '/etc/cni',
  '/opt/cni',
  '/opt/containerd',
  '/usr/libexec/kubernetes',
  '/etc/kubernetes',
];

export interface MachineState {
  mounts: string[];
  iptables: string[];
  cgroups: string[];
  sysctls: Record<string, string>;
  paths: string[];
}

function lines(command: string, args: string[]): string[] {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return [`(${command} ${args.join(' ')} unavailable)`];
  // iptables-save prints comments with the time it ran and packet counters: drop what varies.
  return result.stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'));
}

/**
 * The top level of every hierarchy (where a kubelet with the default cgroup root puts kubepods),
 * and below it only our node roots and kubepods: other cgroups below the top come and go with the
 * machine's own workload (this sandbox makes one per command under /memory/process_api).
 */
function cgroupDirs(): string[] {
  const root = '/sys/fs/cgroup';
  const out: string[] = [];
  for (const hierarchy of readdirSync(root)) {
    const top = join(root, hierarchy);
    if (!statSync(top).isDirectory()) continue;
    for (const entry of readdirSync(top, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      out.push(join(top, entry.name));
      if (!entry.name.startsWith('feldera-e2e') && !entry.name.startsWith('kubepods')) continue;
      for (const inner of readdirSync(join(top, entry.name), { withFileTypes: true })) {
        if (inner.isDirectory()) out.push(join(top, entry.name, inner.name));
      }
    }
  }
  return out.sort();
}

function sysctl(name: string): string {
  try {
    return readFileSync(join('/proc/sys', ...name.split('.')), 'utf8').trim();
  } catch {
    return '(absent)';
  }
}

export function snapshotMachine(): MachineState {
  return {
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const f = l.split(' ');
        return `${f[4] ?? ''} ${f[f.indexOf('-') + 1] ?? ''}`; // mount point and fs type
      })
      .sort(),
    iptables: [...lines('iptables-save', []).map((l) => `ipv4 ${l}`), ...lines('ip6tables-save', []).map((l) => `ipv6 ${l}`)],
    cgroups: cgroupDirs(),
    sysctls: Object.fromEntries(NODE_SYSCTLS.map((name) => [name, sysctl(name)])),
    paths: HOST_PATHS.filter((p) => existsSync(p)),
  };
}

/** Puts back the sysctls that differ from `before`; returns what it wrote. */
export function restoreSysctls(before: MachineState): string[] {
  const restored: string[] = [];
  for (const [name, value] of Object.entries(before.sysctls)) {
    if (value === '(absent)' || sysctl(name) === value) continue;
    writeFileSync(join('/proc/sys', ...name.split('.')), `${value}\n`);
    restored.push(`${name}=${value}`);
  }
  return restored;
}

export interface MachineDiff {
  added: Record<keyof MachineState, string[]>;
  removed: Record<keyof MachineState, string[]>;
  /** True when nothing differs. */
  clean: boolean;
}

export function diffMachine(before: MachineState, after: MachineState): MachineDiff {
  const keys: Array<keyof MachineState> = ['mounts', 'iptables', 'cgroups', 'sysctls', 'paths'];
  const asList = (state: MachineState, key: keyof MachineState): string[] =>
    key === 'sysctls' ? Object.entries(state.sysctls).map(([k, v]) => `${k}=${v}`) : (state[key] as string[]);
  const added = {} as MachineDiff['added'];
  const removed = {} as MachineDiff['removed'];
  let clean = true;
  for (const key of keys) {
    const b = asList(before, key);
    const a = asList(after, key);
    const count = (list: string[]): Map<string, number> => list.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const cb = count(b);
    const ca = count(a);
    added[key] = [...ca].flatMap(([x, n]) => Array<string>(Math.max(0, n - (cb.get(x) ?? 0))).fill(x));
    removed[key] = [...cb].flatMap(([x, n]) => Array<string>(Math.max(0, n - (ca.get(x) ?? 0))).fill(x));
    if (added[key].length > 0 || removed[key].length > 0) clean = false;
  }
  return { added, removed, clean };
}

export function describeDiff(diff: MachineDiff): string {
  if (diff.clean) return 'the machine is as it was found';
  const parts: string[] = [];
  for (const key of Object.keys(diff.added) as Array<keyof MachineState>) {
    for (const x of diff.added[key]) parts.push(`  + ${key}: ${x}`);
    for (const x of diff.removed[key]) parts.push(`  - ${key}: ${x}`);
  }
  return `the machine differs from before the node started:\n${parts.join('\n')}`;
}
