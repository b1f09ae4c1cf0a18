// The test cluster's PKI, made with the injector's own certificate code (src/pki):
//   - the cluster CA: signs the apiserver's serving certificate and every client certificate the
//     apiserver accepts (--client-ca-file): the admin (O=system:masters) and the controller-manager;
//   - the service-account signing key pair (--service-account-*-key-file);
//   - the webhook client CA: signs the certificate the apiserver presents to admission webhooks
//     (AdmissionConfiguration kubeConfigFile), i.e. what a webhook with tls.clientCAFile trusts.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServingCertificate,
  type CertificateAndKey,
  type CertificateAuthority,
} from '../../../src/pki/index.js';
import type { Result } from '../../../src/errors.js';

/** A certificate and key, as PEM and as the files written. */
export interface PemFiles {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface ClusterPki {
  dir: string;
  /** Cluster CA: --client-ca-file, the kubeconfigs' certificate-authority, --root-ca-file. */
  ca: PemFiles;
  apiserver: PemFiles;
  /** CN=e2e-admin, O=system:masters. */
  admin: PemFiles;
  /** CN=system:kube-controller-manager, O=system:masters (it runs controllers with its own identity). */
  controllerManager: PemFiles;
  serviceAccount: { privateKeyFile: string; publicKeyFile: string };
  /** The CA a webhook trusts for callers (tls.clientCAFile). */
  webhookClientCa: PemFiles;
  /** What kube-apiserver presents to webhooks; signed by webhookClientCa. */
  webhookClient: PemFiles;
}

const VALIDITY_DAYS = 7;
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
const KUBERNETES_SERVICE_IP = '10.0.0.1';

export function must<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function writePem(dir: string, name: string, pem: CertificateAndKey): PemFiles {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, pem.cert, { mode: 0o644 });
  writeFileSync(keyFile, pem.key, { mode: 0o600 });
  return { certFile, keyFile, cert: pem.cert, key: pem.key };
}

export function newAuthority(commonName: string): CertificateAuthority {
  return must(createCertificateAuthority({ commonName, validityDays: VALIDITY_DAYS }), `CA ${commonName}`);
}

export function createClusterPki(dir: string): ClusterPki {
  const ca = newAuthority('feldera-e2e cluster CA');
  const serving = must(
    issueServingCertificate(ca, {
      hosts: ['127.0.0.1', 'localhost', KUBERNETES_SERVICE_IP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      validityDays: VALIDITY_DAYS,
    }),
    'apiserver serving certificate',
  );
  const admin = must(issueClientCertificate(ca, { commonName: 'e2e-admin', organizations: ['system:masters'], validityDays: VALIDITY_DAYS }), 'admin client certificate');
  const controllerManager = must(
    issueClientCertificate(ca, { commonName: 'system:kube-controller-manager', organizations: ['system:masters'], validityDays: VALIDITY_DAYS }),
    'controller-manager client certificate',
  );
  const webhookClientCa = newAuthority('feldera-e2e webhook client CA');
  const webhookClient = must(
    issueClientCertificate(webhookClientCa, { commonName: 'kube-apiserver-webhook-client', validityDays: VALIDITY_DAYS }),
    'apiserver webhook client certificate',
  );
  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  mkdirSync(dir, { recursive: true });
  const privateKeyFile = join(dir, 'service-account.key');
  const publicKeyFile = join(dir, 'service-account.pub');
  writeFileSync(privateKeyFile, sa.privateKey, { mode: 0o600 });
  writeFileSync(publicKeyFile, sa.publicKey, { mode: 0o644 });
  return {
    dir,
    ca: writePem(dir, 'ca', ca),
    apiserver: writePem(dir, 'apiserver', serving),
    admin: writePem(dir, 'admin', admin),
    controllerManager: writePem(dir, 'controller-manager', controllerManager),
    serviceAccount: { privateKeyFile, publicKeyFile },
    webhookClientCa: writePem(dir, 'webhook-client-ca', webhookClientCa),
    webhookClient: writePem(dir, 'webhook-client', webhookClient),
  };
}

/** A client certificate (PEM) from `ca`, e.g. to knock on a webhook's door with the wrong one. */
export function issueClientCertificateFor(ca: CertificateAuthority, commonName: string, organizations: string[] = []): CertificateAndKey {
  return must(issueClientCertificate(ca, { commonName, organizations, validityDays: VALIDITY_DAYS }), `client certificate ${commonName}`);
}

/** What a control plane with nodes needs besides the above (issued only then). */
export interface NodeControlPlanePki {
  /** What kube-apiserver presents to kubelets (logs, exec): CN=kube-apiserver-kubelet-client, O=system:masters. */
  kubeletClient: PemFiles;
  /** CN=system:kube-scheduler (the bootstrap RBAC role of that name). */
  scheduler: PemFiles;
}

export function createNodeControlPlanePki(pki: ClusterPki): NodeControlPlanePki {
  const ca = { cert: pki.ca.cert, key: pki.ca.key };
  return {
    kubeletClient: writePem(
      pki.dir,
      'apiserver-kubelet-client',
      must(issueClientCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], validityDays: VALIDITY_DAYS }), 'apiserver kubelet client certificate'),
    ),
    scheduler: writePem(pki.dir, 'scheduler', must(issueClientCertificate(ca, { commonName: 'system:kube-scheduler', validityDays: VALIDITY_DAYS }), 'scheduler client certificate')),
  };
}
