// What the controller aims for, derived once from the configuration: the names the serving
// certificate must cover, how long certificates live and when they are renewed.
import type { Config } from '../config/config.js';
import { serviceDnsNames } from '../pki/index.js';

/** Ten years: the CA is rotated only by deleting the Secret (see README), so it must outlive any install. */
export const CA_VALIDITY_DAYS = 3650;

/**
 * Loopback names are always in the serving certificate, as in the dev certificates: they let
 * in-pod probes, `kubectl port-forward` and the end-to-end tests (which register the webhook by
 * URL on 127.0.0.1) verify it. They widen nothing: only this webhook's own CA signs the
 * certificate, and only the webhook configuration's caBundle trusts that CA.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface CertificatePolicy {
  namespace: string;
  secretName: string;
  webhookConfigurationName: string;
  /** SANs of the serving certificate; the first is also its common name. */
  hosts: string[];
  validityDays: number;
  renewBeforeDays: number;
  caValidityDays: number;
  caCommonName: string;
  checkIntervalSeconds: number;
}

export function certificatePolicy(config: Config, namespace: string): CertificatePolicy {
  const c = config.certificates;
  return {
    namespace,
    secretName: c.secretName,
    webhookConfigurationName: c.webhookConfigurationName,
    hosts: [...serviceDnsNames(c.serviceName, namespace), ...LOOPBACK_HOSTS],
    validityDays: c.validityDays,
    renewBeforeDays: c.renewBeforeDays,
    caValidityDays: CA_VALIDITY_DAYS,
    caCommonName: `${c.serviceName}.${namespace} webhook CA`,
    checkIntervalSeconds: c.checkIntervalSeconds,
  };
}

/** The numbers the loader only type-checks; refused at start rather than at the first renewal. */
export function policyErrors(policy: CertificatePolicy): string[] {
  const errors: string[] = [];
  if (!Number.isInteger(policy.validityDays) || policy.validityDays < 1 || policy.validityDays > 36500) {
    errors.push(`certificates.validityDays: must be a whole number of days from 1 to 36500, got ${policy.validityDays}`);
  }
  if (!(policy.renewBeforeDays >= 0)) errors.push(`certificates.renewBeforeDays: must be 0 or more, got ${policy.renewBeforeDays}`);
  if (!(policy.checkIntervalSeconds > 0)) {
    errors.push(`certificates.checkIntervalSeconds: must be more than 0, got ${policy.checkIntervalSeconds}`);
  }
  for (const [key, value] of [['secretName', policy.secretName], ['webhookConfigurationName', policy.webhookConfigurationName]] as const) {
    if (value.trim() === '') errors.push(`certificates.${key}: must not be empty`);
  }
  return errors;
}

/** Settings that are legal but surprising; logged as warnings at start. */
export function policyWarnings(policy: CertificatePolicy): string[] {
  const warnings: string[] = [];
  if (policy.renewBeforeDays >= policy.validityDays) {
    warnings.push(
      `certificates.renewBeforeDays (${policy.renewBeforeDays}) is not below certificates.validityDays (${policy.validityDays}): ` +
        'the serving certificate is renewed at every check; lower renewBeforeDays (e.g. a third of validityDays)',
    );
  }
  return warnings;
}
