// A serving-certificate folder laid out the way kubelet mounts a Secret:
//   tls.crt -> ..data/tls.crt, tls.key -> ..data/tls.key, ..data -> ..<timestamp>/
// An update writes a new timestamped folder and renames a fresh `..data` symlink over the old
// one: one atomic step, so a reader sees the old pair or the new pair, never a mix.
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateAndKey } from '../../../src/pki/index.js';

export interface CertFolder {
  dir: string;
  certFile: string;
  keyFile: string;
}

let generation = 0;

function writeGeneration(dir: string, pem: CertificateAndKey): string {
  const name = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.pid}.${++generation}`;
  const data = join(dir, name);
  mkdirSync(data, { mode: 0o755 });
  writeFileSync(join(data, 'tls.key'), pem.key, { mode: 0o600 });
  writeFileSync(join(data, 'tls.crt'), pem.cert, { mode: 0o644 });
  return name;
}

export function createCertFolder(dir: string, pem: CertificateAndKey): CertFolder {
  mkdirSync(dir, { recursive: true });
  const name = writeGeneration(dir, pem);
  symlinkSync(name, join(dir, '..data'));
  symlinkSync(join('..data', 'tls.crt'), join(dir, 'tls.crt'));
  symlinkSync(join('..data', 'tls.key'), join(dir, 'tls.key'));
  return { dir, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
}

/** Replaces the certificate and key in one rename of `..data`, then removes the old generation. */
export function swapCertFolder(folder: CertFolder, pem: CertificateAndKey): void {
  const previous = readlinkSync(join(folder.dir, '..data'));
  const name = writeGeneration(folder.dir, pem);
  const tmpLink = join(folder.dir, `..data_tmp.${generation}`);
  symlinkSync(name, tmpLink);
  renameSync(tmpLink, join(folder.dir, '..data'));
  rmSync(join(folder.dir, previous), { recursive: true, force: true });
}
