// The self-managed certificate controller's errors. Same shape as InjectorError (a stable code and
// a message), with codes of its own because these failures are about the cluster (RBAC, the API
// server, the Secret), and each message says what a platform engineer should change.
import type { ErrorCode, InjectorError } from '../errors.js';

export type CertificateErrorCode =
  // Where to keep the Secret: no namespace configured and none discoverable.
  | 'CERT_NAMESPACE_UNKNOWN'
  // No usable kubeconfig / in-cluster service account.
  | 'KUBE_CONFIG_INVALID'
  // API answers, by what the operator has to do about them.
  | 'KUBE_FORBIDDEN'
  | 'KUBE_UNAUTHORIZED'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_INVALID'
  | 'KUBE_UNAVAILABLE'
  | 'KUBE_UNREACHABLE'
  | 'KUBE_API_ERROR'
  // Replicas kept overwriting each other's Secret (should not happen; bounded retries ran out).
  | 'CERT_SECRET_CONTENDED'
  // Could not put the serving certificate where the server reads it.
  | 'CERT_FILES_WRITE_FAILED'
  // Gave up waiting for the API server at start-up.
  | 'CERT_START_TIMEOUT'
  // Passed through from src/pki (e.g. a service name that is not a DNS label).
  | ErrorCode;

export interface CertificateError {
  code: CertificateErrorCode;
  message: string;
  /** Worth retrying as is (network, 5xx, 429): nothing needs to change for it to succeed later. */
  transient: boolean;
}

export function certificateError(code: CertificateErrorCode, message: string, transient = false): CertificateError {
  return { code, message, transient };
}

/** Errors from src/pki are about our own inputs: never transient. */
export function fromInjectorError(error: InjectorError): CertificateError {
  return { code: error.code, message: error.message, transient: false };
}
