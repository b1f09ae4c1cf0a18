// Every error the injector can report, in one place, each with a stable code. Errors are values:
// functions return them, callers decide whether they become an HTTP 4xx, a denial or an exit code.

export interface InjectorError {
  code: ErrorCode;
  message: string;
}

export type ErrorCode =
  // The HTTP request is not a usable AdmissionReview (answered with 4xx, never a denial).
  | 'REVIEW_NOT_OBJECT'
  | 'REVIEW_BAD_KIND'
  | 'REVIEW_BAD_API_VERSION'
  | 'REVIEW_NO_REQUEST'
  | 'REVIEW_NO_UID'
  | 'REVIEW_BAD_OPERATION'
  | 'REVIEW_NO_OBJECT'
  // The pipeline's runtime_config or its init_containers are wrong (a denial).
  | 'RUNTIME_CONFIG_INVALID'
  | 'LIMIT_EXCEEDED'
  | 'CONTAINER_INVALID'
  | 'CONTAINER_COLLISION'
  // Platform policy (a denial when enforced, a warning otherwise).
  | 'INIT_CONTAINERS_DISALLOWED'
  | 'POLICY_VIOLATION'
  // Namespace policy (issue 9 point 6): the namespace's sidecar.feldera.com/policy annotation cannot
  // be read, or the informer cache has not synced yet so it is not known (both fail closed).
  | 'NAMESPACE_POLICY_INVALID'
  | 'NAMESPACE_POLICY_UNKNOWN'
  // The cluster as a source (informers, explain --live): the Kubernetes API could not be read.
  | 'CLUSTER_READ_FAILED'
  // Configuration and files (exit codes / logs).
  | 'CONFIG_INVALID'
  | 'INPUT_INVALID'
  // The HTTP layer: a request that never became an AdmissionReview (4xx), or our own failure (500).
  | 'REQUEST_NOT_JSON'
  | 'REQUEST_BAD_CONTENT_TYPE'
  | 'REQUEST_TOO_LARGE'
  | 'REQUEST_INVALID'
  | 'ROUTE_NOT_FOUND'
  | 'INTERNAL_ERROR'
  // Server and CLI (issue 7, items 4, 5, 11): a sender too slow for kube-apiserver's own deadline
  // (408), and the offline `inject` failing on its own bug rather than on the input (exit 2).
  | 'REQUEST_TIMEOUT'
  | 'INJECT_FAILED'
  // Serving: TLS material and sockets (logged; fatal only at start-up).
  | 'TLS_MATERIAL_INVALID'
  | 'SERVER_LISTEN_FAILED'
  // Dev certificates (the `certs` command and `serve --dev`).
  | 'CERT_REQUEST_INVALID'
  | 'CERT_WRITE_FAILED';

export function injectorError(code: ErrorCode, message: string): InjectorError {
  return { code, message };
}

export type Result<T, E = InjectorError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
