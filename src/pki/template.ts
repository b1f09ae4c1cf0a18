// The parts every certificate we make shares: a random serial, a validity window and a SHA-256
// signature. Serials are random (not counters) so a re-issued certificate is always told apart.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** Backdating tolerates clocks a little behind ours (a kube-apiserver on another node). */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  // DER integers are signed and must be minimally encoded: Go's x509 (kube-apiserver) rejects a
  // negative serial and a leading zero byte, so the top bit is cleared and the next one set.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

export function newCertificate(
  publicKey: forge.pki.rsa.PublicKey,
  subject: forge.pki.CertificateField[],
  validityDays: number,
  now: Date = new Date(),
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialNumber();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  cert.setSubject(subject);
  return cert;
}

export function signWith(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): void {
  cert.sign(key, forge.md.sha256.create());
}

/** A validity must be a positive whole number of days; anything else is a caller's mistake. */
export function isValidityDays(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= 36500;
}
