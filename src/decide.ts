// decide(review, config, context) -> response: the whole admission decision, no I/O (the context
// holds what is known of the cluster as plain values: src/cluster/context.ts). The HTTPS server,
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
import { readRuntimeConfig, runtimeOf, type PipelineRuntime } from './pipeline/runtime-config.js';
import { runtimeSourceOf, sourceName, type RuntimeSource } from './pipeline/config-source.js';
import type { ClusterContext } from './cluster/context.js';
import { platformPolicy, type EffectivePolicy } from './policy/effective-policy.js';
import { NAMESPACE_POLICY_ANNOTATION, tightenPolicy } from './policy/namespace-policy.js';
import { quoteName } from './messages.js';
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
  /** configSource configMap/both: a pipeline pod whose ConfigMap is missing or unreadable (admitted without sidecars, with a warning). */
  | 'CONFIG_MAP_MISSING'
  | Extract<
      ErrorCode,
      | 'RUNTIME_CONFIG_INVALID'
      | 'LIMIT_EXCEEDED'
      | 'INIT_CONTAINERS_DISALLOWED'
      | 'CONTAINER_INVALID'
      | 'POLICY_VIOLATION'
      | 'CONTAINER_COLLISION'
      | 'NAMESPACE_POLICY_INVALID'
      | 'NAMESPACE_POLICY_UNKNOWN'
    >;

export const REASON_CODES: readonly ReasonCode[] = [
  'NOT_CREATE', 'NOT_A_POD', 'NO_RUNTIME_CONFIG', 'OPTED_OUT', 'NO_SIDECARS', 'NOT_COORDINATOR', 'INJECTED', 'UPDATED', 'REMOVED',
  'STATUS_REFRESHED', 'ALREADY_INJECTED', 'RUNTIME_CONFIG_INVALID', 'LIMIT_EXCEEDED', 'INIT_CONTAINERS_DISALLOWED', 'CONTAINER_INVALID',
  'POLICY_VIOLATION', 'CONTAINER_COLLISION', 'CONFIG_MAP_MISSING', 'NAMESPACE_POLICY_INVALID', 'NAMESPACE_POLICY_UNKNOWN',
];

/** What each step found, as far as the decision got: the decision trail `explain` prints. */
export interface DecisionDetails {
  /** Where the runtime config was read from (or why not). */
  source?: RuntimeSource;
  runtime?: PipelineRuntime;
  /** The policy in force: the platform's, or tightened by the namespace's annotation. */
  policy?: EffectivePolicy;
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

export function decide(review: AdmissionReview, config: Config, context: ClusterContext): Decision {
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
  const namespace = req.namespace ?? '';
  const source = runtimeSourceOf(object, namespace, config, context);
  if (source.kind === 'none') return skip('NO_RUNTIME_CONFIG', source.reason);
  details.source = source;
  const where = sourceName(source);
  if (source.kind === 'configMapMissing') {
    // Admitted (the pod may not need sidecars at all) but never silently: a warning, a reason code, an Event.
    const warning =
      `${where}: ${source.problem}; the pod is admitted WITHOUT the pipeline's sidecars (pipeline.configSource: ` +
      `${config.pipeline.configSource}). ${source.advice}`;
    return skip('CONFIG_MAP_MISSING', `${where}: ${source.problem}`, [warning]);
  }

  // 2. Read.
  const runtime = source.kind === 'annotation' ? readRuntimeConfig(source.text, annotation) : runtimeOf(source.config, where);
  if (runtime.ok) details.runtime = runtime.value;
  const optedOut = labelOf(object, INJECT_KEY) === 'false' || annotationOf(object, INJECT_KEY) === 'false';
  if (optedOut) {
    // Skipping is the platform's explicit choice, but a pipeline must not lose a sidecar silently.
    const declared = runtime.ok ? runtime.value.initContainers.length : 0;
    const warning = `${INJECT_KEY}=false: the ${declared} init_containers declared in ${source.kind === 'annotation' ? annotation : where} are not injected`;
    return skip('OPTED_OUT', `opted out by ${INJECT_KEY}=false`, declared > 0 ? [warning] : []);
  }
  if (!runtime.ok) return deny(422, runtime.error.code === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : 'RUNTIME_CONFIG_INVALID', runtime.error.message);
  const { initContainers, hosts } = runtime.value;
  if (initContainers.length === 0) return skip('NO_SIDECARS', 'no init_containers declared');
  const index = podIndexOf(object, POD_INDEX_LABEL);
  if (hosts > 1 && config.sidecars.placement === 'coordinator' && index !== null && index !== 0) {
    return skip('NOT_COORDINATOR', `host pod ${index} of a ${hosts}-host pipeline: sidecars run in the coordinator (pod 0) only`);
  }

  // 3. The policy in force here: the platform's, tightened by the namespace's annotation.
  const lookup = context.namespacePolicy(namespace);
  if (lookup.state === 'invalid') {
    const message =
      `${lookup.message}. Pods that declare sidecars in namespace ${quoteName(namespace)} are refused until it is fixed: ` +
      `ask the namespace's owner to correct or remove the ${NAMESPACE_POLICY_ANNOTATION} annotation (kubectl annotate namespace ${namespace} ${NAMESPACE_POLICY_ANNOTATION}-)`;
    return deny(403, 'NAMESPACE_POLICY_INVALID', message);
  }
  if (lookup.state === 'unknown') {
    const message = `the sidecar injector does not know namespace ${quoteName(namespace)}'s policy yet (its cache of namespaces has not synced); retry in a few seconds`;
    return deny(403, 'NAMESPACE_POLICY_UNKNOWN', message);
  }
  const policy = lookup.state === 'policy' ? tightenPolicy(platformPolicy(config), namespace, lookup.policy) : platformPolicy(config);
  details.policy = policy;
  const policyWarnings = (policy.namespace?.ignored ?? []).map((i) => `namespace ${quoteName(namespace)} annotation ${NAMESPACE_POLICY_ANNOTATION}: ${i}`);

  // Police the switch, before anything else: it denies whatever was declared.
  if (!policy.allowInitContainers.value) {
    const byNamespace = policy.allowInitContainers.by !== 'pipeline.allowInitContainers';
    const message = byNamespace
      ? `this pipeline declares ${initContainers.length} init_containers (sidecars) in its runtime_config, but namespace ${quoteName(namespace)} ` +
        `forbids them (annotation ${NAMESPACE_POLICY_ANNOTATION}: allowInitContainers false). Remove init_containers from the pipeline's ` +
        `runtime_config, or ask the namespace's owner to change the annotation`
      : `this pipeline declares ${initContainers.length} init_containers (sidecars) in its runtime_config, but the platform ` +
        `forbids them (pipeline.allowInitContainers: false). Remove init_containers from the pipeline's runtime_config, ` +
        `or ask the platform team to set pipeline.allowInitContainers: true`;
    return deny(403, 'INIT_CONTAINERS_DISALLOWED', message, policyWarnings);
  }

  // 4. Validate.
  const findings = validateContainers(initContainers, validationContextOf(object));
  details.findings = findings;
  if (findings.errors.length > 0) {
    const message = bulleted(`invalid init_containers in the pipeline's runtime_config (${where})`, findings.errors);
    return deny(422, 'CONTAINER_INVALID', message, [...policyWarnings, ...findings.warnings]);
  }

  // 5. Render and police the sidecars exactly as they would be injected.
  const location = { pipelineId: pipelineIdOf(object, config.pipeline.idLabel), port: config.pipeline.port };
  const sidecars = findings.containers.map((c) =>
    renderSidecar(c, { defaultResources: config.sidecars.defaultResources, location, injectEnv: config.sidecars.injectEnv }),
  );
  const verdict = evaluatePolicy(sidecars, object, policy);
  details.verdict = verdict;
  const warnings = [...policyWarnings, ...findings.warnings, ...verdict.warn.map((w) => `policy (warn): ${w}`)];
  if (verdict.deny.length > 0) {
    const whose = policy.namespace === null ? "the platform's sidecar policy" : `the sidecar policy of namespace ${quoteName(namespace)} (the platform's, tightened by its ${NAMESPACE_POLICY_ANNOTATION} annotation)`;
    return deny(403, 'POLICY_VIOLATION', bulleted(`the pipeline's init_containers break ${whose}`, verdict.deny), warnings);
  }

  // 6. Inject and mark.
  const result = injectSidecars(object, sidecars.map((rendered, i) => ({ declared: findings.containers[i] ?? rendered, rendered })));
  if (!result.ok) {
    const message = bulleted(`init_containers in the pipeline's runtime_config (${where}) cannot be added to the pod`, result.errors);
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
