// Signing an end-entity certificate with a CA: the steps the serving and client certificates
// share. The key usages differ per kind and are passed in by serving.ts and client.ts.
import forge from 'node-forge';
import { fail, injectorError, ok, type InjectorError, type Result } from '../errors.js';
import { signingAuthority } from './authority.js';
import { generateRsaKeyPair } from './key-pair.js';
import type { CertificateAndKey, CertificateAuthority } from './pem.js';
import { isValidityDays, newCertificate, signWith } from './template.js';

export interface LeafRequest {
  subject: forge.pki.CertificateField[];
  /** Extensions beyond basicConstraints and the key identifiers, which every leaf gets. */
  extensions: object[];
  validityDays: number;
}

export function issueLeafCertificate(ca: CertificateAuthority, request: LeafRequest): Result<CertificateAndKey, InjectorError> {
  if (!isValidityDays(request.validityDays)) {
    return fail(
      injectorError('CERT_REQUEST_INVALID', `validityDays must be a whole number from 1 to 36500, got ${request.validityDays}`),
    );
  }
  const authority = signingAuthority(ca);
  if (!authority.ok) return authority;
  const keys = generateRsaKeyPair();
  const cert = newCertificate(keys.publicKey, request.subject, request.validityDays);
  cert.setIssuer(authority.value.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    ...request.extensions,
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: authority.value.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWith(cert, authority.value.key);
  return ok({ cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem });
}
