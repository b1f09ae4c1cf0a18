// decide(review, config) -> response: the whole admission decision, no I/O. The HTTPS server and
// the offline `inject` command both call this and nothing else. The steps follow DESIGN.md §2:
// select, read, validate, police, inject, mark, answer.
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Config } from './config/config.js';
import type { AdmissionReview } from './admission/review.js';
import { allowed, denied, patched, review as reviewResponse, type AdmissionResponse, type AdmissionReviewResponse } from './admission/response.js';
import type { JsonObject } from './json.js';
import { INJECT_KEY, POD_INDEX_LABEL } from './pipeline/annotations.js';
import { annotationOf, labelOf, metadataOf, pipelineIdOf, podIndexOf } from './pipeline/pod.js';
import { readRuntimeConfig } from './pipeline/runtime-config.js';
import { validateContainers } from './pipeline/container-validation.js';
import { renderSidecar } from './mutate/sidecar.js';
import { injectSidecars } from './mutate/pod.js';
import { evaluatePolicy } from './policy/rules.js';
import { computePatch } from './patch.js';

export type Outcome = 'skipped' | 'injected' | 'unchanged' | 'denied';

export interface Decision {
  review: AdmissionReviewResponse;
  outcome: Outcome;
  /** Short, log-safe reason (never the annotation's content or env values). */
  reason: string;
  /** Names of the sidecars this decision adds to the pod (empty unless outcome is "injected"). */
  injected: string[];
  namespace: string;
  pod: string;
  dryRun: boolean;
  /** The object after mutation (the received one when nothing changed); null when there was none. */
  mutated: JsonObject | null;
  ops: PatchOperation[];
}

function bulleted(header: string, items: readonly string[]): string {
  return items.length === 1 ? `${header}: ${items[0]}` : `${header}:\n- ${items.join('\n- ')}`;
}

export function decide(review: AdmissionReview, config: Config): Decision {
  const req = review.request;
  const object = req.object;
  const meta = object === null ? {} : metadataOf(object);
  const podName = req.name || (typeof meta.name === 'string' ? meta.name : '') || (typeof meta.generateName === 'string' ? `${meta.generateName}*` : '');
  const base = { namespace: req.namespace ?? '', pod: podName, dryRun: req.dryRun };
  const answer = (response: AdmissionResponse, outcome: Outcome, reason: string, extra?: Partial<Decision>): Decision => ({
    review: reviewResponse(review.apiVersion, response),
    outcome,
    reason,
    injected: [],
    mutated: object,
    ops: [],
    ...base,
    ...extra,
  });
  const skip = (reason: string, warnings: readonly string[] = []): Decision => answer(allowed(req.uid, warnings), 'skipped', reason);
  const annotation = config.pipeline.runtimeConfigAnnotation;

  // 1. Select.
  if (req.operation !== 'CREATE') return skip(`operation ${req.operation} is not CREATE`);
  if (req.kind.kind !== 'Pod' || req.kind.group !== '' || req.subResource !== undefined || object === null) {
    return skip('not a pod creation');
  }
  const runtimeConfigText = annotationOf(object, annotation);
  if (runtimeConfigText === undefined) return skip(`no ${annotation} annotation`);

  // 2. Read.
  const runtime = readRuntimeConfig(runtimeConfigText, annotation);
  const optedOut = labelOf(object, INJECT_KEY) === 'false' || annotationOf(object, INJECT_KEY) === 'false';
  if (optedOut) {
    // Skipping is the platform's explicit choice, but a pipeline must not lose a sidecar silently.
    const declared = runtime.ok ? runtime.value.initContainers.length : 0;
    const warning = `${INJECT_KEY}=false: the ${declared} init_containers declared in ${annotation} are not injected`;
    return skip(`opted out by ${INJECT_KEY}=false`, declared > 0 ? [warning] : []);
  }
  if (!runtime.ok) return answer(denied(req.uid, 422, runtime.error.message), 'denied', runtime.error.code);
  const { initContainers, hosts } = runtime.value;
  if (initContainers.length === 0) return skip('no init_containers declared');
  const index = podIndexOf(object, POD_INDEX_LABEL);
  if (hosts > 1 && config.sidecars.placement === 'coordinator' && index !== null && index !== 0) {
    return skip(`host pod ${index} of a ${hosts}-host pipeline: sidecars run in the coordinator (pod 0) only`);
  }

  // 3. Police the switch, before anything else: it denies whatever was declared.
  if (!config.pipeline.allowInitContainers) {
    const message =
      `this pipeline declares ${initContainers.length} init_containers (sidecars) in its runtime_config, but the platform ` +
      `forbids them (pipeline.allowInitContainers: false). Remove init_containers from the pipeline's runtime_config, ` +
      `or ask the platform team to set pipeline.allowInitContainers: true`;
    return answer(denied(req.uid, 403, message), 'denied', 'INIT_CONTAINERS_DISALLOWED');
  }

  // 4. Validate.
  const findings = validateContainers(initContainers);
  if (findings.errors.length > 0) {
    const message = bulleted(`invalid init_containers in the pipeline's runtime_config (annotation ${annotation})`, findings.errors);
    return answer(denied(req.uid, 422, message, findings.warnings), 'denied', 'CONTAINER_INVALID');
  }

  // 5. Render and police the sidecars exactly as they would be injected.
  const location = { pipelineId: pipelineIdOf(object, config.pipeline.idLabel), port: config.pipeline.port };
  const sidecars = findings.containers.map((c) =>
    renderSidecar(c, { defaultResources: config.sidecars.defaultResources, location, injectEnv: config.sidecars.injectEnv }),
  );
  const verdict = evaluatePolicy(sidecars, object, config);
  const warnings = [...findings.warnings, ...verdict.warn.map((w) => `policy (warn): ${w}`)];
  if (verdict.deny.length > 0) {
    const message = bulleted(`the pipeline's init_containers break the platform's sidecar policy`, verdict.deny);
    return answer(denied(req.uid, 403, message, warnings), 'denied', 'POLICY_VIOLATION');
  }

  // 6. Inject and mark.
  const result = injectSidecars(object, sidecars.map((rendered, i) => ({ declared: findings.containers[i] ?? rendered, rendered })));
  if (!result.ok) {
    const message = bulleted(`init_containers in the pipeline's runtime_config (annotation ${annotation}) cannot be added to the pod`, result.errors);
    return answer(denied(req.uid, 422, message, warnings), 'denied', 'CONTAINER_COLLISION');
  }
  const { pod, added, updated, removed, warnings: injectWarnings } = result.injection;
  warnings.push(...injectWarnings);

  // 7. Answer.
  const ops = computePatch(object, pod);
  if (ops.length === 0) return answer(allowed(req.uid, warnings), 'unchanged', 'already injected');
  const written = [...added, ...updated];
  const reason = added.length > 0 ? 'injected' : updated.length > 0 ? 'sidecars brought to the declared spec' : removed.length > 0 ? 'undeclared sidecars removed' : 'status refreshed';
  return answer(patched(req.uid, ops, warnings), written.length > 0 || removed.length > 0 ? 'injected' : 'unchanged', reason, {
    injected: written,
    mutated: pod,
    ops,
  });
}
