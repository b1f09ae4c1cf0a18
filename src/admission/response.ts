// One-line constructors for what the webhook answers, in the spirit of controller-runtime's
// Allowed/Denied/Patched. The HTTP layer only serialises these.
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionApiVersion } from './review.js';

export interface Status {
  code: number;
  reason: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON array of RFC 6902 operations. */
  patch?: string;
  status?: Status;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length > 0) response.warnings = [...warnings];
  return response;
}

export function allowed(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: true }, warnings);
}

export function patched(uid: string, ops: readonly PatchOperation[], warnings: readonly string[] = []): AdmissionResponse {
  if (ops.length === 0) return allowed(uid, warnings);
  const patch = Buffer.from(JSON.stringify(ops)).toString('base64');
  return withWarnings({ uid, allowed: true, patchType: 'JSONPatch', patch }, warnings);
}

/** A refusal the user must act on. 403 for policy, 422 for a runtime_config that cannot be injected. */
export function denied(uid: string, code: 403 | 422, message: string, warnings: readonly string[] = []): AdmissionResponse {
  const reason = code === 403 ? 'Forbidden' : 'Invalid';
  return withWarnings({ uid, allowed: false, status: { code, reason, message } }, warnings);
}

/**
 * The injector failed on a review it could read (a bug, not the pod's fault), as controller-runtime's
 * Errored answers: HTTP 200 with allowed false and status 500, so kube-apiserver shows this message
 * ("admission webhook ... denied the request: ...") instead of "failed calling webhook".
 */
export function errored(uid: string, message: string): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: { code: 500, reason: 'InternalError', message },
    auditAnnotations: auditAnnotations({ outcome: 'error', code: 'INTERNAL_ERROR', injected: [], policyWarnings: [] }),
  };
}

/** Each audit annotation value is cut to this many characters: the audit log is not a dump. */
export const AUDIT_VALUE_MAX = 1024;

export interface AuditFacts {
  outcome: string;
  code: string;
  injected: readonly string[];
  /** The policy's warn-only findings (messages name fields, never values). */
  policyWarnings: readonly string[];
}

/**
 * The audit annotations of an answer. kube-apiserver prefixes each key with the webhook's name
 * (`<webhook name>/decision`), so a key here is only the name part of a qualified name.
 */
export function auditAnnotations(facts: AuditFacts): Record<string, string> {
  const bounded = (text: string): string => (text.length <= AUDIT_VALUE_MAX ? text : `${text.slice(0, AUDIT_VALUE_MAX - 3)}...`);
  const annotations: Record<string, string> = { decision: `${facts.outcome}/${facts.code}` };
  if (facts.injected.length > 0) annotations.injected = bounded(facts.injected.join(','));
  if (facts.policyWarnings.length > 0) annotations['policy-warning'] = bounded(facts.policyWarnings.join('; '));
  return annotations;
}

export function review(apiVersion: AdmissionApiVersion, response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion, kind: 'AdmissionReview', response };
}
