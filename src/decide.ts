// decide(review, config) -> response: the whole admission decision, no I/O. The HTTPS server,
// the offline `inject` command and `explain` all call this and nothing else. The steps follow
// DESIGN.md §2: select, read, validate, police, inject, mark, answer. Besides the answer, a
// Decision carries a bounded reason code (for metrics and logs) and the details each step found
// (for explain), all of them values decide() computes anyway.
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Config } from './config/config.js';
import type { AdmissionReview } from './admission/review.js';
import {
  allowed,
  auditAnnotations,
  denied,
  patched,
  review as reviewResponse,
  type AdmissionResponse,
  type AdmissionReviewResponse,
} from './admission/response.js';
import type { ErrorCode } from './errors.js';
import type { JsonObject } from './json.js';
import { INJECT_KEY, POD_INDEX_LABEL } from './pipeline/annotations.js';
import { annotationOf, labelOf, metadataOf, pipelineIdOf, podIndexOf } from './pipeline/pod.js';
import { readRuntimeConfig, type PipelineRuntime } from './pipeline/runtime-config.js';
import { validateContainers, validationContextOf, type ContainerFindings } from './pipeline/container-validation.js';
import { renderSidecar } from './mutate/sidecar.js';
import { injectSidecars, type Placement } from './mutate/pod.js';
import { evaluatePolicy, type Verdict } from './policy/rules.js';
import { computePatch } from './patch.js';

export type Outcome = 'skipped' | 'injected' | 'unchanged' | 'denied';

/** Why, in one word from a closed list: safe as a metric label. Denials use their error code. */
export type ReasonCode =
  | 'NOT_CREATE'
  | 'NOT_A_POD'
  | 'NO_RUNTIME_CONFIG'
  | 'OPTED_OUT'
  | 'NO_SIDECARS'
  | 'NOT_COORDINATOR'
  | 'INJECTED'
  | 'UPDATED'
  | 'REMOVED'
  | 'STATUS_REFRESHED'
  | 'ALREADY_INJECTED'
  | Extract<ErrorCode, 'RUNTIME_CONFIG_INVALID' | 'LIMIT_EXCEEDED' | 'INIT_CONTAINERS_DISALLOWED' | 'CONTAINER_INVALID' | 'POLICY_VIOLATION' | 'CONTAINER_COLLISION'>;

export const REASON_CODES: readonly ReasonCode[] = [
  'NOT_CREATE', 'NOT_A_POD', 'NO_RUNTIME_CONFIG', 'OPTED_OUT', 'NO_SIDECARS', 'NOT_COORDINATOR', 'INJECTED', 'UPDATED', 'REMOVED',
  'STATUS_REFRESHED', 'ALREADY_INJECTED', 'RUNTIME_CONFIG_INVALID', 'LIMIT_EXCEEDED', 'INIT_CONTAINERS_DISALLOWED', 'CONTAINER_INVALID',
  'POLICY_VIOLATION', 'CONTAINER_COLLISION',
];

/** What each step found, as far as the decision got: the decision trail `explain` prints. */
export interface DecisionDetails {
  runtime?: PipelineRuntime;
  findings?: ContainerFindings;
  verdict?: Verdict;
  placements?: Placement[];
}

export interface Decision {
  review: AdmissionReviewResponse;
  outcome: Outcome;
  code: ReasonCode;
  /** Short, log-safe reason in words (never the annotation's content or env values). */
  reason: string;
  /** Names of the sidecars this decision writes into the pod: appended or rewritten in place. */
  injected: string[];
  namespace: string;
  pod: string;
  dryRun: boolean;
  /** The object after mutation (the received one when nothing changed); null when there was none. */
  mutated: JsonObject | null;
  ops: PatchOperation[];
  details: DecisionDetails;
}

function bulleted(header: string, items: readonly string[]): string {
  return items.length === 1 ? `${header}: ${items[0]}` : `${header}:\n- ${items.join('\n- ')}`;
}

export function decide(review: AdmissionReview, config: Config): Decision {
  const req = review.request;
  const object = req.object;
  const meta = object === null ? {} : metadataOf(object);
  const podName = req.name || (typeof meta.name === 'string' ? meta.name : '') || (typeof meta.generateName === 'string' ? `${meta.generateName}*` : '');
  const details: DecisionDetails = {};
  const base = { namespace: req.namespace ?? '', pod: podName, dryRun: req.dryRun, details };
  const answer = (response: AdmissionResponse, outcome: Outcome, code: ReasonCode, reason: string, extra?: Partial<Decision>): Decision => ({
    review: reviewResponse(review.apiVersion, {
      ...response,
      auditAnnotations: auditAnnotations({ outcome, code, injected: extra?.injected ?? [], policyWarnings: details.verdict?.warn ?? [] }),
    }),
    outcome,
    code,
    reason,
    injected: [],
    mutated: object,
    ops: [],
    ...base,
    ...extra,
  });
  const skip = (code: ReasonCode, reason: string, warnings: readonly string[] = []): Decision => answer(allowed(req.uid, warnings), 'skipped', code, reason);
  const deny = (status: 403 | 422, code: ReasonCode, message: string, warnings: readonly string[] = []): Decision =>
    answer(denied(req.uid, status, message, warnings), 'denied', code, code);
  const annotation = config.pipeline.runtimeConfigAnnotation;

  // 1. Select.
  if (req.operation !== 'CREATE') return skip('NOT_CREATE', `operation ${req.operation} is not CREATE`);
  if (req.kind.kind !== 'Pod' || req.kind.group !== '' || req.subResource !== undefined || object === null) {
    return skip('NOT_A_POD', 'not a pod creation');
  }
  const runtimeConfigText = annotationOf(object, annotation);
  if (runtimeConfigText === undefined) return skip('NO_RUNTIME_CONFIG', `no ${annotation} annotation`);

  // 2. Read.
  const runtime = readRuntimeConfig(runtimeConfigText, annotation);
  if (runtime.ok) details.runtime = runtime.value;
  const optedOut = labelOf(object, INJECT_KEY) === 'false' || annotationOf(object, INJECT_KEY) === 'false';
  if (optedOut) {
    // Skipping is the platform's explicit choice, but a pipeline must not lose a sidecar silently.
    const declared = runtime.ok ? runtime.value.initContainers.length : 0;
    const warning = `${INJECT_KEY}=false: the ${declared} init_containers declared in ${annotation} are not injected`;
    return skip('OPTED_OUT', `opted out by ${INJECT_KEY}=false`, declared > 0 ? [warning] : []);
  }
  if (!runtime.ok) return deny(422, runtime.error.code === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : 'RUNTIME_CONFIG_INVALID', runtime.error.message);
  const { initContainers, hosts } = runtime.value;
  if (initContainers.length === 0) return skip('NO_SIDECARS', 'no init_containers declared');
  const index = podIndexOf(object, POD_INDEX_LABEL);
  if (hosts > 1 && config.sidecars.placement === 'coordinator' && index !== null && index !== 0) {
    return skip('NOT_COORDINATOR', `host pod ${index} of a ${hosts}-host pipeline: sidecars run in the coordinator (pod 0) only`);
  }

  // 3. Police the switch, before anything else: it denies whatever was declared.
  if (!config.pipeline.allowInitContainers) {
    const message =
      `this pipeline declares ${initContainers.length} init_containers (sidecars) in its runtime_config, but the platform ` +
      `forbids them (pipeline.allowInitContainers: false). Remove init_containers from the pipeline's runtime_config, ` +
      `or ask the platform team to set pipeline.allowInitContainers: true`;
    return deny(403, 'INIT_CONTAINERS_DISALLOWED', message);
  }

  // 4. Validate.
  const findings = validateContainers(initContainers, validationContextOf(object));
  details.findings = findings;
  if (findings.errors.length > 0) {
    const message = bulleted(`invalid init_containers in the pipeline's runtime_config (annotation ${annotation})`, findings.errors);
    return deny(422, 'CONTAINER_INVALID', message, findings.warnings);
  }

  // 5. Render and police the sidecars exactly as they would be injected.
  const location = { pipelineId: pipelineIdOf(object, config.pipeline.idLabel), port: config.pipeline.port };
  const sidecars = findings.containers.map((c) =>
    renderSidecar(c, { defaultResources: config.sidecars.defaultResources, location, injectEnv: config.sidecars.injectEnv }),
  );
  const verdict = evaluatePolicy(sidecars, object, config);
  details.verdict = verdict;
  const warnings = [...findings.warnings, ...verdict.warn.map((w) => `policy (warn): ${w}`)];
  if (verdict.deny.length > 0) {
    return deny(403, 'POLICY_VIOLATION', bulleted(`the pipeline's init_containers break the platform's sidecar policy`, verdict.deny), warnings);
  }

  // 6. Inject and mark.
  const result = injectSidecars(object, sidecars.map((rendered, i) => ({ declared: findings.containers[i] ?? rendered, rendered })));
  if (!result.ok) {
    const message = bulleted(`init_containers in the pipeline's runtime_config (annotation ${annotation}) cannot be added to the pod`, result.errors);
    return deny(422, 'CONTAINER_COLLISION', message, warnings);
  }
  const { pod, placements, warnings: injectWarnings } = result.injection;
  details.placements = placements;
  warnings.push(...injectWarnings);

  // 7. Answer.
  const ops = computePatch(object, pod);
  if (ops.length === 0) return answer(allowed(req.uid, warnings), 'unchanged', 'ALREADY_INJECTED', 'already injected');
  const written = placements.filter((p) => p.how === 'added' || p.how === 're-rendered' || p.how === 'completed').map((p) => p.name);
  const [code, reason]: [ReasonCode, string] = placements.some((p) => p.how === 'added')
    ? ['INJECTED', 'injected']
    : written.length > 0
      ? ['UPDATED', 'sidecars brought to the declared spec']
      : placements.some((p) => p.how === 'removed')
        ? ['REMOVED', 'undeclared sidecars removed']
        : ['STATUS_REFRESHED', 'status refreshed'];
  const changed = written.length > 0 || placements.some((p) => p.how === 'removed');
  return answer(patched(req.uid, ops, warnings), changed ? 'injected' : 'unchanged', code, reason, { injected: written, mutated: pod, ops });
}
