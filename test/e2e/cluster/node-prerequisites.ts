// What a real node needs from the machine, checked before anything is started: root, the Debian
// packages (containerd, runc, the CNI loopback plugin, a static busybox for the local images, and
// the tools the CNI plugin and the teardown use), and cgroups. A missing piece fails with the
// command that installs it; nothing is skipped.
import { accessSync, closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian packages the node uses (.ci/run installs them). */
export const NODE_PACKAGES = ['containerd', 'runc', 'containernetworking-plugins', 'busybox-static', 'iproute2', 'util-linux', 'tar'];
export const INSTALL_HINT = `apt-get update && apt-get install -y --no-install-recommends ${NODE_PACKAGES.join(' ')}`;

export interface NodeTools {
  containerd: string;
  ctr: string;
  runc: string;
  /** The CNI loopback plugin (containerd's CRI runs it for every pod's lo). */
  cniLoopback: string;
  busybox: string;
  ip: string;
  nsenter: string;
  tar: string;
}

const CNI_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

function onPath(name: string, extraDirs: string[]): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The tools' paths, or an Error naming every missing one and the install command. */
export function findNodeTools(options: { searchDirs?: string[] } = {}): NodeTools {
  const searchDirs = options.searchDirs ?? SYSTEM_DIRS;
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('the node must run as root (containerd, runc, mounts and cgroups)');
  const need = (name: string, pkg: string): string => {
    const found = onPath(name, searchDirs);
    if (found === null) problems.push(`${name} not found (Debian package ${pkg})`);
    return found ?? name;
  };
  const tools: NodeTools = {
    containerd: need('containerd', 'containerd'),
    ctr: need('ctr', 'containerd'),
    runc: need('runc', 'runc'),
    cniLoopback: CNI_DIRS.map((d) => join(d, 'loopback')).find((p) => existsSync(p)) ?? '',
    busybox: '/bin/busybox',
    ip: need('ip', 'iproute2'),
    nsenter: need('nsenter', 'util-linux'),
    tar: need('tar', 'tar'),
  };
  if (tools.cniLoopback === '') problems.push(`the CNI loopback plugin is not in ${CNI_DIRS.join(' or ')} (Debian package containernetworking-plugins)`);
  if (!isStaticBusybox(tools.busybox)) problems.push('/bin/busybox (a static build, for the local images) not found (Debian package busybox-static)');
  if (!existsSync('/sys/fs/cgroup/memory') && !existsSync('/sys/fs/cgroup/cgroup.controllers')) problems.push('no cgroup hierarchy under /sys/fs/cgroup');
  if (problems.length > 0) {
    throw new Error(`the e2e node cannot start:\n  - ${problems.join('\n  - ')}\nInstall the packages with:\n  ${INSTALL_HINT}`);
  }
  return tools;
}

function isStaticBusybox(path: string): boolean {
  if (!existsSync(path)) return false;
  // busybox-static's binary has no program interpreter (PT_INTERP); the dynamic one (package
  // busybox, which also installs /bin/busybox) does, and would not run inside a one-layer image.
  const header = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // ELF, 64-bit
  const phoff = Number(header.readBigUInt64LE(0x20));
  const phentsize = header.readUInt16LE(0x36);
  const phnum = header.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > header.length) return false;
    if (header.readUInt32LE(at) === 3) return false; // PT_INTERP
  }
  return true;
}
