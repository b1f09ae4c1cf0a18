// Offline injection, like `istioctl kube-inject`: the same decide() the server runs, applied to a
// Pod, a workload's pod template, or an AdmissionReview read from a file. Pure: main.ts reads and
// prints.
import type { ClusterContext } from '../cluster/context.js';
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Config } from '../config/config.js';
import { parseReview, reviewForPod, type AdmissionReview } from '../admission/review.js';
import type { AdmissionReviewResponse } from '../admission/response.js';
import { decide, type Decision, type ReasonCode } from '../decide.js';
import { fail, injectorError, ok, type ErrorCode, type Result } from '../errors.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';
import { computePatch } from '../patch.js';

export interface OfflineResult {
  /** The document after injection (unchanged when nothing applied). */
  output: Json;
  /** RFC 6902 ops against the document as read. */
  ops: PatchOperation[];
  /** The AdmissionReview the webhook would answer (for AdmissionReview input, the real one). */
  review: AdmissionReviewResponse | null;
  warnings: string[];
  /** Why nothing was injected, when nothing was. */
  note: string | null;
}

const TEMPLATE_KINDS = new Set(['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet', 'Job']);

/** The reason codes decide() denies with; a Record so that a new one fails to compile until listed. */
type DenialCode = Extract<ReasonCode, ErrorCode>;
const DENIAL_CODES: Record<DenialCode, true> = {
  RUNTIME_CONFIG_INVALID: true,
  LIMIT_EXCEEDED: true,
  INIT_CONTAINERS_DISALLOWED: true,
  CONTAINER_INVALID: true,
  POLICY_VIOLATION: true,
  CONTAINER_COLLISION: true,
  NAMESPACE_POLICY_INVALID: true,
  NAMESPACE_POLICY_UNKNOWN: true,
};

function isDenialCode(code: ReasonCode): code is DenialCode {
  return Object.hasOwn(DENIAL_CODES, code);
}

/** A denial with the code decide() gave it (INIT_CONTAINERS_DISALLOWED, CONTAINER_INVALID, ...). */
function denial(decision: Decision): Result<never> {
  const message = decision.review.response.status?.message ?? decision.reason;
  // A denied decision always carries a denial code; the fallback is only for the type.
  const code: ErrorCode = isDenialCode(decision.code) ? decision.code : 'POLICY_VIOLATION';
  return fail(injectorError(code, `denied: ${message}`));
}

function result(decision: Decision, output: Json, ops: PatchOperation[]): OfflineResult {
  return {
    output,
    ops,
    review: decision.review,
    warnings: decision.review.response.warnings ?? [],
    note: decision.outcome === 'skipped' ? decision.reason : null,
  };
}

/** The pod template of a workload and where it sits, or null when the document has none. */
function templateOf(doc: JsonObject): { template: JsonObject; holder: JsonObject } | null {
  const kind = doc.kind;
  let spec = isObject(doc.spec) ? doc.spec : null;
  if (kind === 'CronJob' && spec !== null) {
    const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : null;
    spec = jobTemplate !== null && isObject(jobTemplate.spec) ? jobTemplate.spec : null;
  } else if (typeof kind !== 'string' || !TEMPLATE_KINDS.has(kind)) {
    return null;
  }
  if (spec === null || !isObject(spec.template)) return null;
  return { template: spec.template, holder: spec };
}

/** The volumes the StatefulSet controller gives pod `podName` for its volumeClaimTemplates. */
function claimTemplateVolumes(doc: JsonObject, podName: string): JsonObject[] {
  const spec = isObject(doc.spec) ? doc.spec : {};
  if (doc.kind !== 'StatefulSet' || !Array.isArray(spec.volumeClaimTemplates)) return [];
  return spec.volumeClaimTemplates.flatMap((claim) => {
    const name = isObject(claim) && isObject(claim.metadata) ? claim.metadata.name : undefined;
    return typeof name === 'string' ? [{ name, persistentVolumeClaim: { claimName: `${name}-${podName}` } }] : [];
  });
}

/** The pod a document stands for, as the review kube-apiserver would send for it. */
export type DocumentPod =
  | { kind: 'review'; review: AdmissionReview }
  | { kind: 'pod'; review: AdmissionReview }
  | { kind: 'template'; review: AdmissionReview; pod: JsonObject; found: { template: JsonObject; holder: JsonObject }; templateSpec: JsonObject }
  | { kind: 'none'; note: string };

export function documentPod(doc: Json): Result<DocumentPod> {
  if (!isObject(doc)) return fail(injectorError('INPUT_INVALID', 'each document must be a Kubernetes object (a map)'));
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (doc.kind === 'AdmissionReview') {
    const parsed = parseReview(doc);
    if (!parsed.ok) return fail(injectorError('INPUT_INVALID', parsed.error.message));
    return ok({ kind: 'review', review: parsed.value });
  }
  if (doc.kind === 'Pod') return ok({ kind: 'pod', review: reviewForPod(doc, namespace, name) });
  const found = templateOf(doc);
  if (found === null) {
    const kind = typeof doc.kind === 'string' ? `kind ${quoteName(doc.kind)}` : 'an object without a kind';
    return ok({ kind: 'none', note: `${kind} has no pod template; left as it is` });
  }
  // A StatefulSet's pod 0 is the pipeline's coordinator: render that one.
  const podName = doc.kind === 'StatefulSet' && name !== '' ? `${name}-0` : name;
  const templateSpec = isObject(found.template.spec) ? found.template.spec : {};
  const claimVolumes = claimTemplateVolumes(doc, podName);
  // The StatefulSet controller adds a volume per volumeClaimTemplate to each pod; without them a
  // sidecar mounting the pipeline's storage would be refused here but admitted in the cluster.
  const podSpec: JsonObject =
    claimVolumes.length === 0 ? templateSpec : { ...templateSpec, volumes: [...(Array.isArray(templateSpec.volumes) ? templateSpec.volumes : []), ...claimVolumes] };
  const pod: JsonObject = { apiVersion: 'v1', kind: 'Pod', metadata: { ...(isObject(found.template.metadata) ? found.template.metadata : {}), name: podName, namespace }, spec: podSpec };
  return ok({ kind: 'template', review: reviewForPod(pod, namespace, podName), pod, found, templateSpec });
}

export function injectDocument(doc: Json, config: Config, context: ClusterContext): Result<OfflineResult> {
  const read = documentPod(doc);
  if (!read.ok) return read;
  const target = read.value;
  if (target.kind === 'none') return ok({ output: doc, ops: [], review: null, warnings: [], note: target.note });
  const decision = decide(target.review, config, context);
  if (!decision.review.response.allowed) return denial(decision);
  if (target.kind === 'review') return ok(result(decision, decision.mutated, decision.ops));
  if (target.kind === 'pod') return ok(result(decision, decision.mutated ?? doc, decision.ops));
  const { found, templateSpec } = target;
  if (decision.mutated === null || decision.ops.length === 0) return ok(result(decision, doc, []));
  const mutatedPod = decision.mutated;
  const output = structuredClone(doc);
  const holder = isObject(output) ? templateOf(output) : null;
  if (holder !== null) {
    const podMeta = isObject(mutatedPod.metadata) ? { ...mutatedPod.metadata } : {};
    const originalMeta = isObject(found.template.metadata) ? found.template.metadata : {};
    // name/namespace were only lent to the pod for selection; keep the template's own metadata keys.
    if (!Object.hasOwn(originalMeta, 'name')) delete podMeta.name;
    if (!Object.hasOwn(originalMeta, 'namespace')) delete podMeta.namespace;
    const mutatedSpec: JsonObject = { ...(isObject(mutatedPod.spec) ? mutatedPod.spec : {}) };
    // The claim volumes were only lent to the pod; the template keeps its own volumes.
    if (Object.hasOwn(templateSpec, 'volumes')) mutatedSpec.volumes = templateSpec.volumes as Json;
    else delete mutatedSpec.volumes;
    holder.holder.template = { ...holder.template, metadata: podMeta, spec: mutatedSpec };
  }
  return ok(result(decision, output, computePatch(doc as JsonObject, output as JsonObject)));
}
