// The AdmissionReview envelope: what kube-apiserver posts and what it expects back. parseReview
// checks only the envelope; whether the object is a pipeline pod is decide()'s business.
import { injectorError, fail, ok, type InjectorError, type Result } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';

export const ADMISSION_V1 = 'admission.k8s.io/v1';
export const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1';
export type AdmissionApiVersion = typeof ADMISSION_V1 | typeof ADMISSION_V1BETA1;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  /** The object exactly as received: the patch is computed against this, never a re-typed copy. */
  object: JsonObject | null;
  dryRun: boolean;
  /** userInfo.username: who asked, for the log line; cut to USERNAME_MAX characters. */
  username?: string;
}

export interface AdmissionReview {
  apiVersion: AdmissionApiVersion;
  request: AdmissionRequest;
}

const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/**
 * A service account's username is at most 339 characters (system:serviceaccount: + a 63-character
 * namespace + a 253-character name); anything longer is cut so a log line stays short.
 */
export const USERNAME_MAX = 512;

function gvk(value: unknown): GroupVersionKind {
  const v = isObject(value) ? value : {};
  return { group: str(v.group), version: str(v.version), kind: str(v.kind) };
}

function gvr(value: unknown): GroupVersionResource {
  const v = isObject(value) ? value : {};
  return { group: str(v.group), version: str(v.version), resource: str(v.resource) };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * What a refused envelope field held, for the caller's message: a string as a short quoted name
 * (kind, apiVersion and operation are names; anything longer is cut), any other value by its type
 * only, never its content.
 */
function got(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteName(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function usernameOf(userInfo: unknown): string | undefined {
  if (!isObject(userInfo) || typeof userInfo.username !== 'string') return undefined;
  const name = userInfo.username;
  return name.length > USERNAME_MAX ? `${name.slice(0, USERNAME_MAX)}...` : name;
}

/** Checks the envelope of a decoded request body. Errors here are the caller's mistake (HTTP 400). */
export function parseReview(body: unknown): Result<AdmissionReview, InjectorError> {
  if (!isObject(body)) {
    return fail(injectorError('REVIEW_NOT_OBJECT', 'request body must be a JSON AdmissionReview object'));
  }
  if (body.kind !== 'AdmissionReview') {
    return fail(
      injectorError('REVIEW_BAD_KIND', `kind must be "AdmissionReview", got ${got(body.kind)}`),
    );
  }
  const apiVersion = body.apiVersion;
  if (apiVersion !== ADMISSION_V1 && apiVersion !== ADMISSION_V1BETA1) {
    return fail(
      injectorError(
        'REVIEW_BAD_API_VERSION',
        `apiVersion must be "${ADMISSION_V1}" or "${ADMISSION_V1BETA1}", got ${got(apiVersion)}`,
      ),
    );
  }
  const request = body.request;
  if (!isObject(request)) {
    return fail(injectorError('REVIEW_NO_REQUEST', 'AdmissionReview has no "request" object'));
  }
  if (typeof request.uid !== 'string' || request.uid === '') {
    return fail(injectorError('REVIEW_NO_UID', 'AdmissionReview request has no "uid"'));
  }
  const operation = typeof request.operation === 'string' ? request.operation : '';
  if (!OPERATIONS.includes(operation)) {
    return fail(
      injectorError(
        'REVIEW_BAD_OPERATION',
        `AdmissionReview request operation must be one of ${OPERATIONS.join(', ')}, got ${got(request.operation)}`,
      ),
    );
  }
  const object = request.object;
  if (operation === 'CREATE' && !isObject(object)) {
    return fail(injectorError('REVIEW_NO_OBJECT', 'AdmissionReview request for CREATE has no "object"'));
  }
  const parsed: AdmissionRequest = {
    uid: request.uid,
    kind: gvk(request.kind),
    resource: gvr(request.resource),
    operation: operation as Operation,
    object: isObject(object) ? object : null,
    dryRun: request.dryRun === true,
  };
  if (typeof request.subResource === 'string' && request.subResource !== '') parsed.subResource = request.subResource;
  if (typeof request.name === 'string') parsed.name = request.name;
  if (typeof request.namespace === 'string') parsed.namespace = request.namespace;
  const username = usernameOf(request.userInfo);
  if (username !== undefined) parsed.username = username;
  return ok({ apiVersion, request: parsed });
}

/** The review kube-apiserver would send for creating this pod; used offline and by tests. */
export function reviewForPod(pod: JsonObject, namespace: string, name: string, dryRun = true): AdmissionReview {
  return {
    apiVersion: ADMISSION_V1,
    request: {
      uid: 'offline',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name,
      namespace,
      operation: 'CREATE',
      object: pod,
      dryRun,
    },
  };
}
