// `certs --out DIR` and `serve --dev`: a throw-away CA, a serving certificate for every name the
// webhook is dialled by, and a client certificate for mTLS tests, written the way a Kubernetes
// TLS Secret is laid out (tls.crt/tls.key, plus ca.crt for the webhook's caBundle).
import { mkdir } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-write.js';
import { join } from 'node:path';
import { fail, injectorError, ok, type InjectorError, type Result } from '../errors.js';
import { createCertificateAuthority } from './authority.js';
import { issueClientCertificate } from './client.js';
import { issueServingCertificate } from './serving.js';
import { serviceDnsNames, subjectAltNames } from './subject-alt-names.js';

export const DEFAULT_SERVICE_NAME = 'feldera-sidecar-injector';
export const DEFAULT_NAMESPACE = 'feldera-sidecar-injector';
export const LOCAL_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface DevCertificateOptions {
  /** Extra SANs, added to localhost, 127.0.0.1, ::1 and the Service DNS names (never replacing them). */
  hosts?: string[];
  serviceName?: string;
  namespace?: string;
  validityDays?: number;
}

export interface DevCertificateFiles {
  caCert: string;
  caKey: string;
  tlsCert: string;
  tlsKey: string;
  clientCert: string;
  clientKey: string;
}

export interface DevCertificates {
  /** Paths of everything written. */
  files: DevCertificateFiles;
  /** The SANs of tls.crt, in order. */
  hosts: string[];
  /** PEM of ca.crt: base64 it for a MutatingWebhookConfiguration's caBundle. */
  caCertPem: string;
}

const DEV_VALIDITY_DAYS = 365;
export const DEV_CLIENT_COMMON_NAME = 'kube-apiserver-webhook-client';

export async function writeDevCertificates(
  dir: string,
  options: DevCertificateOptions = {},
): Promise<Result<DevCertificates, InjectorError>> {
  const service = options.serviceName ?? DEFAULT_SERVICE_NAME;
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const validityDays = options.validityDays ?? DEV_VALIDITY_DAYS;
  // Checked before any key is generated, so a typo in --hosts fails at once.
  const sans = subjectAltNames([...LOCAL_HOSTS, ...serviceDnsNames(service, namespace), ...(options.hosts ?? [])]);
  if (!sans.ok) return sans;
  const hosts = sans.value.map((san) => san.value);

  const ca = createCertificateAuthority({ commonName: `${service} dev CA`, validityDays });
  if (!ca.ok) return ca;
  const serving = issueServingCertificate(ca.value, { hosts, validityDays });
  if (!serving.ok) return serving;
  const client = issueClientCertificate(ca.value, { commonName: DEV_CLIENT_COMMON_NAME, validityDays });
  if (!client.ok) return client;

  const files: DevCertificateFiles = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    tlsCert: join(dir, 'tls.crt'),
    tlsKey: join(dir, 'tls.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
  try {
    await mkdir(dir, { recursive: true });
    // Keys before certificates: a server watching this folder then never sees a new certificate
    // next to an old key for longer than one rename.
    await writeFileAtomically(files.caKey, ca.value.key, 0o600);
    await writeFileAtomically(files.caCert, ca.value.cert, 0o644);
    await writeFileAtomically(files.tlsKey, serving.value.key, 0o600);
    await writeFileAtomically(files.tlsCert, serving.value.cert, 0o644);
    await writeFileAtomically(files.clientKey, client.value.key, 0o600);
    await writeFileAtomically(files.clientCert, client.value.cert, 0o644);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(injectorError('CERT_WRITE_FAILED', `cannot write dev certificates into ${dir}: ${reason}`));
  }
  return ok({ files, hosts, caCertPem: ca.value.cert });
}

