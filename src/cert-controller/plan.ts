// The one decision about the Secret, pure: given what is stored (or nothing) and the time, create
// everything, use what is there, renew the serving certificate with the same CA, or start over
// with a new CA. Renewing keeps the CA so the caBundle, and every replica's trust, stays valid.
import type { V1Secret } from '@kubernetes/client-node';
import type { CertificatePolicy } from './policy.js';
import { normaliseHost, readSecretContents, type Material } from './secret-contents.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export type CertificatePlan =
  | { action: 'create'; reason: string }
  | { action: 'use'; resourceVersion: string; ca: Material; serving: Material }
  | {
      action: 'renew';
      reason: string;
      resourceVersion: string;
      ca: Material;
      /** The stored serving certificate when it still works (signed by the CA, not expired): after a
       * lost race the winner's renewal is taken even if it is already "due" by our settings. */
      servable: Material | null;
    }
  | { action: 'recreate'; reason: string; resourceVersion: string };

export type PlanPolicy = Pick<CertificatePolicy, 'hosts' | 'renewBeforeDays'>;

export function planCertificates(secret: V1Secret | null, now: Date, policy: PlanPolicy): CertificatePlan {
  if (secret === null) return { action: 'create', reason: 'the Secret does not exist' };
  const contents = readSecretContents(secret);
  const { resourceVersion } = contents;
  const renewBeforeMs = policy.renewBeforeDays * DAY_MS;

  if (!contents.ca.ok) return { action: 'recreate', reason: `its CA is unusable: ${contents.ca.error}`, resourceVersion };
  const ca = contents.ca.value;
  // The CA is long-lived and not rolled over in place (that would need two CAs in the caBundle for
  // a while); near its end everything is re-issued, which the repair loop then propagates.
  if (ca.facts.notAfter.getTime() - now.getTime() < renewBeforeMs) {
    return { action: 'recreate', reason: `its CA expires at ${ca.facts.notAfter.toISOString()}`, resourceVersion };
  }

  if (!contents.serving.ok) {
    return { action: 'renew', reason: `its serving certificate is unusable: ${contents.serving.error}`, resourceVersion, ca, servable: null };
  }
  const serving = contents.serving.value;
  const expiresIn = serving.facts.notAfter.getTime() - now.getTime();
  const servable = expiresIn > 0 ? serving : null;
  const notAfter = serving.facts.notAfter.toISOString();
  if (expiresIn <= 0) return { action: 'renew', reason: `its serving certificate expired at ${notAfter}`, resourceVersion, ca, servable };

  const covered = new Set(serving.facts.hosts);
  const missing = policy.hosts.map(normaliseHost).filter((host) => !covered.has(host));
  if (missing.length > 0) {
    return { action: 'renew', reason: `its serving certificate does not cover ${missing.join(', ')}`, resourceVersion, ca, servable };
  }
  if (expiresIn < renewBeforeMs) {
    return {
      action: 'renew',
      reason: `its serving certificate expires at ${notAfter}, within certificates.renewBeforeDays (${policy.renewBeforeDays})`,
      resourceVersion,
      ca,
      servable,
    };
  }
  return { action: 'use', resourceVersion, ca, serving };
}
