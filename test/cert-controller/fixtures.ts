// Shared by the certificate controller tests (not a test itself): a policy like the one
// certificatePolicy() derives, and Secrets holding real certificates, made once per process
// because RSA key generation is the slow part.
import type { V1Secret } from '@kubernetes/client-node';
import { pino } from 'pino';
import { issueAuthorityAndServing, renewServing, type CertificatePems } from '../../src/cert-controller/issue.js';
import { certificatePolicy, type CertificatePolicy } from '../../src/cert-controller/policy.js';
import { secretManifest } from '../../src/cert-controller/secret-manifest.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';

export const NAMESPACE = 'webhook-system';
export const DAY_MS = 86_400_000;

export function testConfig(certificates: Partial<Config['certificates']> = {}, tls: Partial<Config['tls']> = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    tls: { ...DEFAULT_CONFIG.tls, ...tls },
    certificates: { ...DEFAULT_CONFIG.certificates, mode: 'selfManaged', namespace: NAMESPACE, ...certificates },
  };
}

export function testPolicy(overrides: Partial<CertificatePolicy> = {}): CertificatePolicy {
  return { ...certificatePolicy(testConfig(), NAMESPACE), validityDays: 10, renewBeforeDays: 2, ...overrides };
}

export function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

let cached: CertificatePems | null = null;
/** A CA (10 years) and a serving certificate (10 days) for testPolicy()'s hosts. */
export function pems(): CertificatePems {
  cached ??= must(issueAuthorityAndServing(testPolicy()));
  return cached;
}

/** A fresh serving certificate from the same CA. */
export function renewedPems(policy: CertificatePolicy = testPolicy()): CertificatePems {
  const base = pems();
  return must(renewServing({ cert: base.caCert, key: base.caKey }, policy));
}

export function secretWith(content: CertificatePems, resourceVersion = '1'): V1Secret {
  return secretManifest('feldera-sidecar-injector-tls', NAMESPACE, content, resourceVersion);
}

export function silentLogger(): pino.Logger {
  return pino({ level: 'silent' });
}
