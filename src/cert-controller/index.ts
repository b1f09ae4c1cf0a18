// The self-managed certificates API (certificates.mode: selfManaged) that the serve command and the tests use.
export {
  startCertificateController,
  DEFAULT_START_TIMEOUT_MS,
  type CertificateController,
  type CertificateControllerOptions,
  type CertificateStatus,
} from './controller.js';
export { alsoStopping } from './shutdown.js';
export { caBundleNeedsRepair, caBundlePatch, encodeCaBundle, staleWebhooks, type JsonPatchOperation } from './ca-bundle.js';
export { planCertificates, type CertificatePlan } from './plan.js';
export { certificatePolicy, LOOPBACK_HOSTS, CA_VALIDITY_DAYS, type CertificatePolicy } from './policy.js';
export { resolveNamespace } from './namespace.js';
export { kubeCertificateApi, type CertificateApi } from './kube-api.js';
export { kubeFailure, rbacHint, type KubeFailure } from './kube-errors.js';
export { syncSecret, type SecretState, type SecretEvent } from './secret-sync.js';
export { syncCaBundle, type CaBundleState } from './webhook-sync.js';
export { readSecretContents, SECRET_KEYS, type Material } from './secret-contents.js';
export { secretManifest } from './secret-manifest.js';
export type { CertificateError, CertificateErrorCode } from './errors.js';
