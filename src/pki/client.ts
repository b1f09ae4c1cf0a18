// A client certificate for mTLS: kube-apiserver presents one to the webhook when the webhook
// requires it (AdmissionConfiguration kubeConfigFile), and tests use one to act as the apiserver.
import { fail, injectorError, type InjectorError, type Result } from '../errors.js';
import { issueLeafCertificate } from './leaf.js';
import type { CertificateAndKey, CertificateAuthority } from './pem.js';

export interface ClientCertificateOptions {
  commonName: string;
  /** Become the subject's O= entries (Kubernetes reads them as groups). */
  organizations?: string[];
  validityDays?: number;
}

const DEFAULT_CLIENT_VALIDITY_DAYS = 365;

export function issueClientCertificate(
  ca: CertificateAuthority,
  options: ClientCertificateOptions,
): Result<CertificateAndKey, InjectorError> {
  if (options.commonName.trim() === '') {
    return fail(injectorError('CERT_REQUEST_INVALID', 'a client certificate needs a non-empty commonName'));
  }
  return issueLeafCertificate(ca, {
    subject: [
      ...(options.organizations ?? []).map((value) => ({ name: 'organizationName', value })),
      { name: 'commonName', value: options.commonName },
    ],
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    validityDays: options.validityDays ?? DEFAULT_CLIENT_VALIDITY_DAYS,
  });
}
