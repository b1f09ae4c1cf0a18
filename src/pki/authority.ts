// A self-signed certificate authority for development and tests. In a cluster, cert-manager or
// the operator's own PKI plays this role; nothing in the serving path depends on this file.
import forge from 'node-forge';
import { fail, injectorError, ok, type InjectorError, type Result } from '../errors.js';
import { generateRsaKeyPair } from './key-pair.js';
import type { CertificateAuthority } from './pem.js';
import { isValidityDays, newCertificate, signWith } from './template.js';

export interface AuthorityOptions {
  commonName: string;
  validityDays: number;
}

/** The CA in forge's form, ready to sign with. */
export interface SigningAuthority {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export function createCertificateAuthority(options: AuthorityOptions): Result<CertificateAuthority, InjectorError> {
  if (options.commonName.trim() === '') {
    return fail(injectorError('CERT_REQUEST_INVALID', 'the certificate authority needs a non-empty commonName'));
  }
  if (!isValidityDays(options.validityDays)) {
    return fail(
      injectorError('CERT_REQUEST_INVALID', `validityDays must be a whole number from 1 to 36500, got ${options.validityDays}`),
    );
  }
  const keys = generateRsaKeyPair();
  const subject = [{ name: 'commonName', value: options.commonName }];
  const cert = newCertificate(keys.publicKey, subject, options.validityDays);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, keys.privateKey);
  return ok({ cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem });
}

/** Parses a CA handed in as PEM (ours, or one an operator supplies) so it can sign leaves. */
export function signingAuthority(ca: CertificateAuthority): Result<SigningAuthority, InjectorError> {
  let cert: forge.pki.Certificate;
  let key: forge.pki.rsa.PrivateKey;
  try {
    cert = forge.pki.certificateFromPem(ca.cert);
  } catch (error) {
    return fail(injectorError('CERT_REQUEST_INVALID', `CA certificate is not a PEM RSA certificate: ${messageOf(error)}`));
  }
  try {
    key = forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey;
  } catch (error) {
    return fail(injectorError('CERT_REQUEST_INVALID', `CA key is not a PEM RSA private key: ${messageOf(error)}`));
  }
  const certKey = cert.publicKey as forge.pki.rsa.PublicKey;
  if (certKey.n === undefined || certKey.n.compareTo(key.n) !== 0) {
    return fail(injectorError('CERT_REQUEST_INVALID', 'CA key does not belong to the CA certificate'));
  }
  return ok({ cert, key });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
