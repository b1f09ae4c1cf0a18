// The certificate Secret, read: which parts are present and usable. Pure (node:crypto parsing
// only), so planning can be tested with hand-made Secrets. Each part is judged separately because
// a good CA with a bad serving certificate is repaired by renewing, not by starting over.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { V1Secret } from '@kubernetes/client-node';
import { fail, ok, type Result } from '../errors.js';

/** The keys of a kubernetes.io/tls Secret, plus the CA that signs tls.crt (cert-manager's layout). */
export const SECRET_KEYS = { caCert: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;

export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  serialNumber: string;
  /** SHA-256 of the DER, as OpenSSL prints it (AA:BB:...): what a TLS client sees. */
  fingerprint256: string;
  /** SANs, normalised with normaliseHost (empty for the CA). */
  hosts: string[];
}

export interface Material {
  cert: string;
  key: string;
  facts: CertificateFacts;
}

export interface SecretContents {
  /** For optimistic concurrency: an update carrying it fails with 409 if someone wrote in between. */
  resourceVersion: string;
  ca: Result<Material, string>;
  /** Fails also when the CA is unusable: a serving certificate is only good with its issuer. */
  serving: Result<Material, string>;
}

export function readSecretContents(secret: V1Secret): SecretContents {
  const data = secret.data ?? {};
  const text = (key: string): string | null => {
    const value = data[key];
    return value === undefined || value === '' ? null : Buffer.from(value, 'base64').toString('utf8');
  };
  const ca = readPair(text(SECRET_KEYS.caCert), text(SECRET_KEYS.caKey), SECRET_KEYS.caCert, SECRET_KEYS.caKey);
  let serving: Result<Material, string>;
  if (!ca.ok) {
    serving = fail(`cannot be checked without a usable CA (${ca.error})`);
  } else if (!ca.value.x509.ca) {
    serving = fail(`cannot be checked: ${SECRET_KEYS.caCert} is not a CA certificate`);
  } else {
    const pair = readPair(text(SECRET_KEYS.tlsCert), text(SECRET_KEYS.tlsKey), SECRET_KEYS.tlsCert, SECRET_KEYS.tlsKey);
    if (!pair.ok) serving = pair;
    else if (!pair.value.x509.checkIssued(ca.value.x509) || !pair.value.x509.verify(ca.value.x509.publicKey)) {
      serving = fail(`${SECRET_KEYS.tlsCert} is not signed by ${SECRET_KEYS.caCert}`);
    } else serving = ok(pair.value.material);
  }
  return {
    resourceVersion: secret.metadata?.resourceVersion ?? '',
    ca: ca.ok ? (ca.value.x509.ca ? ok(ca.value.material) : fail(`${SECRET_KEYS.caCert} is not a CA certificate`)) : ca,
    serving,
  };
}

function readPair(
  cert: string | null,
  key: string | null,
  certName: string,
  keyName: string,
): Result<{ material: Material; x509: X509Certificate }, string> {
  if (cert === null) return fail(`${certName} is missing`);
  if (key === null) return fail(`${keyName} is missing`);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    return fail(`${certName} is not a PEM certificate (${messageOf(error)})`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return fail(`${keyName} does not belong to ${certName}`);
  } catch (error) {
    return fail(`${keyName} is not a PEM private key (${messageOf(error)})`);
  }
  return ok({ material: { cert, key, facts: certificateFacts(x509) }, x509 });
}

export function certificateFacts(x509: X509Certificate): CertificateFacts {
  return {
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    serialNumber: x509.serialNumber,
    fingerprint256: x509.fingerprint256,
    hosts: (x509.subjectAltName ?? '')
      .split(', ')
      .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
      .filter((host) => host !== '')
      .map(normaliseHost),
  };
}

/** Lower-case names and canonical IPs: node prints ::1 as 0:0:0:0:0:0:0:1, configuration says ::1. */
export function normaliseHost(host: string): string {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(bare) === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
