// Kubernetes API failures -> CertificateError with a message that says what to change. A 403 is
// almost always missing RBAC, so the message names the verb, resource and resourceName the
// service account needs, in the terms a Role/ClusterRole rule is written in.
import { ApiException } from '@kubernetes/client-node';
import { certificateError, type CertificateError } from './errors.js';

export type KubeResource = 'secrets' | 'mutatingwebhookconfigurations';

export interface KubeOperation {
  verb: 'get' | 'create' | 'update' | 'patch';
  resource: KubeResource;
  name: string;
  /** Absent for cluster-scoped resources. */
  namespace?: string;
  /** API server URL, for "cannot reach" messages. */
  server?: string;
}

export interface KubeFailure extends CertificateError {
  /** The HTTP status, or null when no answer came (network, TLS, DNS). */
  status: number | null;
  /** The API's Status.reason (AlreadyExists, Conflict, NotFound, ...), when it sent one. */
  reason: string | null;
  /** The API's Status.message as sent, when there was one. */
  apiMessage: string | null;
}

/** The HTTP status of a client-node failure, or null for failures without an answer. */
export function httpStatus(error: unknown): number | null {
  if (error instanceof ApiException) return error.code;
  // A second copy of client-node (or a test double) fails instanceof but has the same shape.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : null;
}

export function kubeFailure(error: unknown, operation: KubeOperation): KubeFailure {
  const status = httpStatus(error);
  const target = describe(operation);
  if (status === null) {
    const detail = error instanceof Error ? error.message : String(error);
    const where = operation.server === undefined ? 'the Kubernetes API server' : `the Kubernetes API server at ${operation.server}`;
    return failure('KUBE_UNREACHABLE', `cannot ${target}: no answer from ${where} (${detail}); will retry`, true, null, { message: null, reason: null });
  }
  const body = statusBody(error);
  const said = body.message === null ? '' : ` (API server: ${body.message})`;
  switch (true) {
    case status === 401:
      return failure(
        'KUBE_UNAUTHORIZED',
        `cannot ${target}: the API server rejected our credentials (401); check the pod's service account token (automountServiceAccountToken must not be false) or the KUBECONFIG user${said}`,
        false,
        status,
        body,
      );
    case status === 403:
      return failure('KUBE_FORBIDDEN', `cannot ${target}: forbidden (403). ${rbacHint(operation)}${said}`, false, status, body);
    case status === 404:
      return failure('KUBE_NOT_FOUND', `cannot ${target}: not found (404)${said}`, false, status, body);
    case status === 409:
      return failure('KUBE_API_ERROR', `cannot ${target}: conflict (409, ${body.reason ?? 'Conflict'})${said}`, true, status, body);
    case status === 400 || status === 422:
      return failure('KUBE_INVALID', `cannot ${target}: the API server refused the request as invalid (${status})${said}`, false, status, body);
    case status === 429 || status >= 500:
      return failure('KUBE_UNAVAILABLE', `cannot ${target}: the API server is busy or failing (${status})${said}; will retry`, true, status, body);
    default:
      return failure('KUBE_API_ERROR', `cannot ${target}: unexpected HTTP ${status}${said}`, false, status, body);
  }
}

/** The Role/ClusterRole rule that would have allowed the operation. */
export function rbacHint(operation: KubeOperation): string {
  if (operation.resource === 'secrets') {
    const where = `a Role in namespace ${operation.namespace ?? '(the Secret namespace)'} bound to the webhook's service account`;
    if (operation.verb === 'create') {
      // The API cannot know the name of an object before it exists, so resourceNames never matches a create.
      return `Grant ${where}: apiGroups [""], resources [secrets], verbs [create] (without resourceNames: create cannot be limited by name).`;
    }
    return `Grant ${where}: apiGroups [""], resources [secrets], verbs [${operation.verb}], resourceNames [${operation.name}].`;
  }
  return (
    "Grant a ClusterRole bound to the webhook's service account: apiGroups [admissionregistration.k8s.io], " +
    `resources [mutatingwebhookconfigurations], verbs [${operation.verb}], resourceNames [${operation.name}].`
  );
}

function describe(operation: KubeOperation): string {
  const kind = operation.resource === 'secrets' ? 'Secret' : 'MutatingWebhookConfiguration';
  const where = operation.namespace === undefined ? '' : ` in namespace ${operation.namespace}`;
  return `${operation.verb} ${kind} ${operation.name}${where}`;
}

/** client-node 1.x hands the response body over as text (a JSON Status for API errors). */
function statusBody(error: unknown): { message: string | null; reason: string | null } {
  const body = (error as { body?: unknown }).body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body.trim() === '' ? null : body.trim().slice(0, 500), reason: null };
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return { message: null, reason: null };
  const status = parsed as { message?: unknown; reason?: unknown };
  return {
    message: typeof status.message === 'string' ? status.message : null,
    reason: typeof status.reason === 'string' ? status.reason : null,
  };
}

function failure(
  code: CertificateError['code'],
  message: string,
  transient: boolean,
  status: number | null,
  body: { message: string | null; reason: string | null },
): KubeFailure {
  return { ...certificateError(code, message, transient), status, reason: body.reason, apiMessage: body.message };
}
