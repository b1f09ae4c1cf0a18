// A serving-certificate folder laid out the way kubelet mounts a Secret (mounted-folder.ts):
// tls.crt and tls.key swapped together, atomically.
import type { CertificateAndKey } from '../../../src/pki/index.js';
import { createMountedFolder, swapMountedFolder, type MountedFiles, type MountedFolder } from './mounted-folder.js';

export interface CertFolder extends MountedFolder {
  certFile: string;
  keyFile: string;
}

function files(pem: CertificateAndKey): MountedFiles {
  return { 'tls.key': { content: pem.key, mode: 0o600 }, 'tls.crt': { content: pem.cert } };
}

export function createCertFolder(dir: string, pem: CertificateAndKey): CertFolder {
  const folder = createMountedFolder(dir, files(pem));
  return { ...folder, certFile: folder.path('tls.crt'), keyFile: folder.path('tls.key') };
}

/** Replaces the certificate and key in one rename of `..data`, then removes the old generation. */
export function swapCertFolder(folder: CertFolder, pem: CertificateAndKey): void {
  swapMountedFolder(folder, files(pem));
}
