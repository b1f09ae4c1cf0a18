// Reading and checking the serving certificate, its key and the optional client CA. Everything
// is checked before use so a half-written rotation is refused here and never reaches a socket.
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Config } from '../config/config.js';
import { fail, injectorError, ok, type InjectorError, type Result } from '../errors.js';

export type TlsFiles = Config['tls'];

/** What the logs and metrics say about the certificate in use. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** As OpenSSL prints it: "DNS:a, IP Address:127.0.0.1". */
  subjectAltName: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Client CA bundle (PEM) when mTLS is on. */
  ca: string | null;
  certificate: CertificateInfo;
  /** Digest of all files' content: equal digests mean nothing to reload. */
  digest: string;
}

/** Never below TLS 1.2: kube-apiserver speaks 1.2 and 1.3, and older versions are broken. */
export const MIN_TLS_VERSION = 'TLSv1.2';

export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  const options: SecureContextOptions = { cert: material.cert, key: material.key, minVersion: MIN_TLS_VERSION };
  if (material.ca !== null) options.ca = material.ca;
  return options;
}

export async function loadTlsMaterial(files: TlsFiles): Promise<Result<TlsMaterial, InjectorError>> {
  const [cert, key, ca] = await Promise.all([
    readText(files.certFile, 'tls.certFile'),
    readText(files.keyFile, 'tls.keyFile'),
    files.clientCAFile === null ? Promise.resolve(ok(null)) : readText(files.clientCAFile, 'tls.clientCAFile'),
  ]);
  if (!cert.ok) return cert;
  if (!key.ok) return key;
  if (!ca.ok) return ca;

  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.value);
  } catch (error) {
    return invalid(`tls.certFile ${files.certFile} is not a PEM certificate (${messageOf(error)})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.value);
  } catch (error) {
    return invalid(`tls.keyFile ${files.keyFile} is not an unencrypted PEM private key (${messageOf(error)})`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    return invalid(
      `tls.keyFile ${files.keyFile} does not belong to the certificate in tls.certFile ${files.certFile}` +
        ' (a rotation may be half-written; the next change will be retried)',
    );
  }
  if (ca.value !== null) {
    try {
      new X509Certificate(ca.value);
    } catch (error) {
      return invalid(`tls.clientCAFile ${files.clientCAFile ?? ''} is not a PEM certificate bundle (${messageOf(error)})`);
    }
  }
  const material: TlsMaterial = {
    cert: cert.value,
    key: key.value,
    ca: ca.value,
    certificate: {
      subject: x509.subject.replace(/\n/g, ', '),
      issuer: x509.issuer.replace(/\n/g, ', '),
      subjectAltName: x509.subjectAltName ?? '',
      serialNumber: x509.serialNumber,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
    },
    digest: createHash('sha256').update(cert.value).update('\0').update(key.value).update('\0').update(ca.value ?? '').digest('hex'),
  };
  // The same call setSecureContext makes: whatever OpenSSL would refuse is refused here instead.
  try {
    createSecureContext(secureContextOptions(material));
  } catch (error) {
    return invalid(`TLS files ${files.certFile} and ${files.keyFile} are not usable by OpenSSL (${messageOf(error)})`);
  }
  return ok(material);
}

async function readText(path: string, key: string): Promise<Result<string, InjectorError>> {
  try {
    return ok(await readFile(path, 'utf8'));
  } catch (error) {
    return invalid(`cannot read ${key} ${path}: ${messageOf(error)}`);
  }
}

function invalid(message: string): { ok: false; error: InjectorError } {
  return fail(injectorError('TLS_MATERIAL_INVALID', message));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Log fields for a certificate: enough to tell which one is serving, nothing secret. */
export function certificateLogFields(info: CertificateInfo): Record<string, string> {
  return {
    subject: info.subject,
    issuer: info.issuer,
    sans: info.subjectAltName,
    serial: info.serialNumber,
    notAfter: info.notAfter.toISOString(),
  };
}
