// The images the e2e node runs, made from the machine's own static busybox (nothing can be
// pulled): a pause image for pod sandboxes, and a shell image with busybox's applets and bash (the
// seed's sidecar runs `bash -c`), plus its shared libraries. About a second to build; memoised per
// folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildOciArchive, type OciArchive } from './oci-image.js';

/** What pods name (the kubelet normalises it to docker.io/...); never pulled: imagePullPolicy Never or IfNotPresent. */
export const PAUSE_IMAGE = 'feldera-e2e/pause:1';
export const SHELL_IMAGE = 'feldera-e2e/shell:1';

export interface NodeImages {
  pause: OciArchive;
  shell: OciArchive;
}

const qualified = (name: string): string => `docker.io/${name}`;

function sharedLibraries(binary: string): string[] {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ldd ${binary} failed: ${result.stderr}`);
  const libs: string[] = [];
  for (const line of result.stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const arrow = line.indexOf('=> ');
    const path = (arrow >= 0 ? line.slice(arrow + 3) : line).trim().split(' ')[0] ?? '';
    if (path.startsWith('/')) libs.push(path);
  }
  return libs;
}

function copyInto(rootfs: string, path: string): void {
  const target = join(rootfs, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(path, target);
}

function baseRootfs(dir: string, busybox: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'var/run', 'root']) mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync(busybox, join(dir, 'bin', 'busybox'));
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
}

const built = new Map<string, NodeImages>();

export function buildNodeImages(dir: string, tools: { busybox: string; tar: string }): NodeImages {
  const cached = built.get(dir);
  if (cached !== undefined) return cached;
  mkdirSync(dir, { recursive: true });

  const pauseRoot = join(dir, 'pause-rootfs');
  baseRootfs(pauseRoot, tools.busybox);
  symlinkSync('busybox', join(pauseRoot, 'bin', 'sh'));
  symlinkSync('busybox', join(pauseRoot, 'bin', 'sleep'));
  const pause = buildOciArchive({
    rootfs: pauseRoot,
    name: qualified(PAUSE_IMAGE),
    // PID 1 of the sandbox: sleeps until SIGTERM (PID 1 gets no default signal actions, hence the trap).
    config: { Entrypoint: ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"], Env: ['PATH=/bin'] },
    file: join(dir, 'pause.tar'),
    tar: tools.tar,
  });

  const shellRoot = join(dir, 'shell-rootfs');
  baseRootfs(shellRoot, tools.busybox);
  const applets = spawnSync(tools.busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((name) => name !== '' && name !== 'busybox' && name !== 'bash');
  for (const applet of applets) {
    if (!existsSync(join(shellRoot, 'bin', applet))) symlinkSync('busybox', join(shellRoot, 'bin', applet));
  }
  copyFileSync('/bin/bash', join(shellRoot, 'bin', 'bash'));
  for (const lib of sharedLibraries('/bin/bash')) copyInto(shellRoot, lib);
  const shell = buildOciArchive({
    rootfs: shellRoot,
    name: qualified(SHELL_IMAGE),
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
    file: join(dir, 'shell.tar'),
    tar: tools.tar,
  });
  rmSync(pauseRoot, { recursive: true, force: true });
  rmSync(shellRoot, { recursive: true, force: true });
  const images = { pause, shell };
  built.set(dir, images);
  return images;
}
