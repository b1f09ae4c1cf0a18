// Making certificates for the Secret with src/pki: a new CA and serving certificate, or a new
// serving certificate from the CA already stored (renewal keeps the trust anchor unchanged).
import { createCertificateAuthority, issueServingCertificate, type CertificateAuthority } from '../pki/index.js';
import { ok, type Result } from '../errors.js';
import { fromInjectorError, type CertificateError } from './errors.js';
import type { CertificatePolicy } from './policy.js';

/** Everything the Secret stores, as PEM. */
export interface CertificatePems {
  caCert: string;
  caKey: string;
  tlsCert: string;
  tlsKey: string;
}

export type IssuePolicy = Pick<CertificatePolicy, 'hosts' | 'validityDays' | 'caValidityDays' | 'caCommonName'>;

export function issueAuthorityAndServing(policy: IssuePolicy): Result<CertificatePems, CertificateError> {
  const ca = createCertificateAuthority({ commonName: policy.caCommonName, validityDays: policy.caValidityDays });
  if (!ca.ok) return { ok: false, error: fromInjectorError(ca.error) };
  return renewServing(ca.value, policy);
}

export function renewServing(ca: CertificateAuthority, policy: IssuePolicy): Result<CertificatePems, CertificateError> {
  const serving = issueServingCertificate(ca, { hosts: policy.hosts, validityDays: policy.validityDays });
  if (!serving.ok) return { ok: false, error: fromInjectorError(serving.error) };
  return ok({ caCert: ca.cert, caKey: ca.key, tlsCert: serving.value.cert, tlsKey: serving.value.key });
}
