// A folder laid out the way the kubelet mounts a Secret or a ConfigMap (its AtomicWriter):
//   <name> -> ..data/<name> for each file, ..data -> ..<timestamp>/
// An update writes a new timestamped folder and renames a fresh `..data` symlink over the old
// one: one atomic step, so a reader sees the old files or the new files, never a mix.
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name -> content, and the mode to write it with (default 0644). */
export type MountedFiles = Record<string, { content: string; mode?: number }>;

export interface MountedFolder {
  dir: string;
  /** The path a reader opens (the symlink through ..data). */
  path(name: string): string;
}

let generation = 0;

function writeGeneration(dir: string, files: MountedFiles): string {
  const name = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.pid}.${++generation}`;
  const data = join(dir, name);
  mkdirSync(data, { mode: 0o755 });
  for (const [file, { content, mode }] of Object.entries(files)) writeFileSync(join(data, file), content, { mode: mode ?? 0o644 });
  return name;
}

export function createMountedFolder(dir: string, files: MountedFiles): MountedFolder {
  mkdirSync(dir, { recursive: true });
  const name = writeGeneration(dir, files);
  symlinkSync(name, join(dir, '..data'));
  for (const file of Object.keys(files)) symlinkSync(join('..data', file), join(dir, file));
  return { dir, path: (file) => join(dir, file) };
}

/** Replaces every file in one rename of `..data`, then removes the old generation (same file names). */
export function swapMountedFolder(folder: MountedFolder, files: MountedFiles): void {
  const previous = readlinkSync(join(folder.dir, '..data'));
  const name = writeGeneration(folder.dir, files);
  const tmpLink = join(folder.dir, `..data_tmp.${generation}`);
  symlinkSync(name, tmpLink);
  renameSync(tmpLink, join(folder.dir, '..data'));
  rmSync(join(folder.dir, previous), { recursive: true, force: true });
}
