// The webhook's serving certificate: what kube-apiserver verifies when it dials the Service.
import { fail, injectorError, type InjectorError, type Result } from '../errors.js';
import { issueLeafCertificate } from './leaf.js';
import type { CertificateAndKey, CertificateAuthority } from './pem.js';
import { subjectAltNames } from './subject-alt-names.js';

export interface ServingCertificateOptions {
  /** DNS names and IP addresses the server is dialled by; the first is also the common name. */
  hosts: string[];
  validityDays: number;
}

const IP_SAN = 7;
const DNS_SAN = 2;

export function issueServingCertificate(
  ca: CertificateAuthority,
  options: ServingCertificateOptions,
): Result<CertificateAndKey, InjectorError> {
  const sans = subjectAltNames(options.hosts);
  if (!sans.ok) return sans;
  const first = sans.value[0];
  if (first === undefined) return fail(injectorError('CERT_REQUEST_INVALID', 'a serving certificate needs at least one host'));
  return issueLeafCertificate(ca, {
    // Common names are limited to 64 characters; SANs carry the names that matter anyway.
    subject: [{ name: 'commonName', value: first.value.slice(0, 64) }],
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: sans.value.map((san) => (san.type === 'ip' ? { type: IP_SAN, ip: san.value } : { type: DNS_SAN, value: san.value })),
      },
    ],
    validityDays: options.validityDays,
  });
}
