// What every certificate function here hands back: PEM text, so callers can write it to files,
// pass it to node:tls or put it into a caBundle without knowing about node-forge.

export interface CertificateAndKey {
  /** PEM "CERTIFICATE". */
  cert: string;
  /** PEM "RSA PRIVATE KEY" (PKCS#1), the form kubectl, cert-manager and node:tls all accept. */
  key: string;
}

/** A certificate authority is just its certificate and key; kept as a name so signatures read right. */
export type CertificateAuthority = CertificateAndKey;
