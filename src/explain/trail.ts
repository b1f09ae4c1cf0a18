// The decision trail `explain` prints: each step decide() took for one pod, in plain words, from
// the Decision it returned (decide() records what each step found; nothing is decided here).
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { Config } from '../config/config.js';
import type { Decision } from '../decide.js';
import type { JsonObject } from '../json.js';
import type { PlacementKind } from '../mutate/pod.js';
import type { RuleResult } from '../policy/rules.js';
import { platformPolicy, type EffectivePolicy } from '../policy/effective-policy.js';
import { NAMESPACE_POLICY_ANNOTATION } from '../policy/namespace-policy.js';
import { sourceName } from '../pipeline/config-source.js';

export type StepVerdict = 'pass' | 'skip' | 'deny' | 'warn' | 'info';

export interface Step {
  step: 'select' | 'source' | 'read' | 'namespace' | 'switch' | 'validate' | 'policy' | 'placement' | 'answer';
  verdict: StepVerdict;
  text: string;
  items?: string[];
}

export interface Explanation {
  pod: string;
  namespace: string;
  outcome: Decision['outcome'];
  code: Decision['code'];
  allowed: boolean;
  steps: Step[];
  warnings: string[];
  /** The denial's message, as the user would read it in the StatefulSet's events. */
  message: string | null;
  /** RFC 6902 operations of the answer. */
  patch: Decision['ops'];
  /** A unified diff of the pod as YAML, received -> injected ('' when nothing changes). */
  diff: string;
}

const HOW: Record<PlacementKind, string> = {
  added: 'appended to spec.initContainers as a native sidecar',
  kept: 'already in the pod exactly as it would be injected; left as it is',
  're-rendered': 'in the pod but different from the declared spec (drift); rewritten in place from the runtime_config',
  completed: 'in the pod as declared (rendered upstream); completed in place with restartPolicy, resource defaults and discovery env',
  removed: 'injected earlier but no longer declared; removed',
};

function ruleLine(rule: RuleResult, p: EffectivePolicy): string {
  // Only a namespace's limit says where it comes from: the platform's are the rule's own name.
  const from = (by: string): string => (by.startsWith('namespace ') ? `, from ${by}` : '');
  const max = p.maxSidecars.max;
  const images = p.allowedImages.sets.map((s) => `images matching ${s.value.join(', ')}${from(s.by)}`).join(' and ');
  const what: Record<RuleResult['rule'], string> = {
    maxSidecars: max === null ? 'no limit on the number of sidecars' : `at most ${max.value} sidecars${from(max.by)}`,
    allowedImages: images === '' ? 'any image' : images,
    resourceCaps: 'resource caps',
    podSecurity: `Pod Security "${p.podSecurity.level.value}"${from(p.podSecurity.level.by)}`,
  };
  const verdict = !rule.active ? 'not configured' : rule.violations.length === 0 ? 'pass' : `violated (${rule.action === 'enforce' ? 'denies' : 'warns'})`;
  return `policy.${rule.rule} (${what[rule.rule]}, action ${rule.action}): ${verdict}`;
}

function podYaml(pod: JsonObject | null): string {
  return pod === null ? '' : stringify(pod, { lineWidth: 0 });
}

export function explainDecision(decision: Decision, received: JsonObject | null, config: Config): Explanation {
  const steps: Step[] = [];
  const annotation = config.pipeline.runtimeConfigAnnotation;
  const response = decision.review.response;
  const { runtime, findings, verdict, placements } = decision.details;
  const code = decision.code;

  const { source, policy } = decision.details;
  if (code === 'NOT_CREATE' || code === 'NOT_A_POD' || code === 'NO_RUNTIME_CONFIG') {
    steps.push({ step: 'select', verdict: 'skip', text: `not selected: ${decision.reason}` });
  } else if (source?.kind === 'annotation') {
    steps.push({ step: 'select', verdict: 'pass', text: `selected: a pod creation carrying the ${annotation} annotation` });
    steps.push({ step: 'source', verdict: 'info', text: `runtime_config read from the pod's ${annotation} annotation (pipeline.configSource: ${config.pipeline.configSource})` });
  } else if (source?.kind === 'configMap' || source?.kind === 'configMapMissing') {
    steps.push({ step: 'select', verdict: 'pass', text: `selected: a pipeline pod (by its ${config.pipeline.idLabel} label or pipeline-<uuid>-N name)` });
    steps.push(
      source.kind === 'configMap'
        ? { step: 'source', verdict: 'info', text: `PipelineConfig read from ${sourceName(source)} (pipeline.configSource: ${config.pipeline.configSource})` }
        : { step: 'source', verdict: 'warn', text: `${sourceName(source)}: ${source.problem}; admitted without sidecars, with a warning (code CONFIG_MAP_MISSING)` },
    );
  }
  if (code === 'OPTED_OUT') steps.push({ step: 'select', verdict: 'warn', text: `skipped: ${decision.reason}` });
  if (runtime !== undefined) {
    steps.push({ step: 'read', verdict: 'pass', text: `${runtime.initContainers.length} init_containers declared; the pipeline runs on ${runtime.hosts} host pod(s)` });
  } else if (code === 'RUNTIME_CONFIG_INVALID' || code === 'LIMIT_EXCEEDED') {
    steps.push({ step: 'read', verdict: 'deny', text: 'the runtime_config cannot be read', items: [response.status?.message ?? ''] });
  }
  if (code === 'NO_SIDECARS' || code === 'NOT_COORDINATOR') steps.push({ step: 'read', verdict: 'skip', text: `nothing to inject: ${decision.reason}` });
  if (code === 'NAMESPACE_POLICY_INVALID' || code === 'NAMESPACE_POLICY_UNKNOWN') {
    steps.push({ step: 'namespace', verdict: 'deny', text: `namespace ${decision.namespace}: its policy cannot be applied; fails closed`, items: [response.status?.message ?? ''] });
  } else if (policy !== undefined) {
    const ns = policy.namespace;
    steps.push(
      ns === null
        ? { step: 'namespace', verdict: 'info', text: `namespace ${decision.namespace}: no ${NAMESPACE_POLICY_ANNOTATION} annotation; the platform's policy applies as configured` }
        : {
            step: 'namespace',
            verdict: ns.ignored.length > 0 ? 'warn' : 'info',
            text: `namespace ${decision.namespace}: its ${NAMESPACE_POLICY_ANNOTATION} annotation tightens the platform's policy`,
            items: [...ns.tightened.map((f) => `tightened: ${f}`), ...ns.ignored.map((f) => `ignored: ${f}`)],
          },
    );
  }
  const allowBy = policy?.allowInitContainers.by ?? 'pipeline.allowInitContainers';
  if (code === 'INIT_CONTAINERS_DISALLOWED') steps.push({ step: 'switch', verdict: 'deny', text: `${allowBy} is false: declared sidecars are refused` });
  else if (findings !== undefined) steps.push({ step: 'switch', verdict: 'pass', text: `${allowBy} is true` });
  if (findings !== undefined) {
    const items = [...findings.errors.map((e) => `error: ${e}`), ...findings.warnings.map((w) => `warning: ${w}`)];
    steps.push({
      step: 'validate',
      verdict: findings.errors.length > 0 ? 'deny' : findings.warnings.length > 0 ? 'warn' : 'pass',
      text: `${findings.errors.length} error(s), ${findings.warnings.length} warning(s) in the declared containers`,
      ...(items.length > 0 ? { items } : {}),
    });
  }
  if (verdict !== undefined) {
    const violated = verdict.rules.filter((r) => r.violations.length > 0);
    steps.push({
      step: 'policy',
      verdict: verdict.deny.length > 0 ? 'deny' : violated.length > 0 ? 'warn' : 'pass',
      text: 'the platform rules, on the sidecars as they would be injected',
      items: verdict.rules.flatMap((rule) => [ruleLine(rule, policy ?? platformPolicy(config)), ...rule.violations.map((v) => `  - ${v}`)]),
    });
  }
  if (placements !== undefined) {
    steps.push({ step: 'placement', verdict: 'pass', text: 'each sidecar in the pod', items: placements.map((p) => `${p.name}: ${HOW[p.how]}`) });
  } else if (code === 'CONTAINER_COLLISION') {
    steps.push({ step: 'placement', verdict: 'deny', text: 'the sidecars cannot be placed in the pod', items: [response.status?.message ?? ''] });
  }
  const message = response.allowed ? null : (response.status?.message ?? null);
  steps.push({
    step: 'answer',
    verdict: response.allowed ? 'pass' : 'deny',
    text: response.allowed
      ? decision.ops.length > 0
        ? `allowed with a patch of ${decision.ops.length} operation(s) (${decision.reason})`
        : `allowed, no patch (${decision.reason})`
      : `denied (HTTP ${response.status?.code ?? '?'} in the AdmissionResponse, code ${code})`,
  });
  let diff = '';
  if (decision.ops.length > 0 && received !== null) {
    try {
      diff = createTwoFilesPatch('pod (as received)', 'pod (as injected)', podYaml(received), podYaml(decision.mutated), undefined, undefined, { context: 3 });
    } catch {
      // A pod nested too deeply for the YAML writer: the patch below still says what changes.
      diff = '(the pod is nested too deeply to show as YAML; see the patch)';
    }
  }
  return {
    pod: decision.pod,
    namespace: decision.namespace,
    outcome: decision.outcome,
    code,
    allowed: response.allowed,
    steps,
    warnings: response.warnings ?? [],
    message,
    patch: decision.ops,
    diff,
  };
}

const CONTEXT_WIDTH = 160;

/** Unchanged lines cut to a terminal's width: a runtime-config annotation is one line of kilobytes. */
function shortContext(diff: string): string {
  return diff
    .split('\n')
    .map((line) => (line.startsWith(' ') && line.length > CONTEXT_WIDTH ? `${line.slice(0, CONTEXT_WIDTH)}...` : line))
    .join('\n');
}

const MARK: Record<StepVerdict, string> = { pass: 'ok  ', skip: 'skip', deny: 'DENY', warn: 'warn', info: '    ' };

/** The explanation in plain words, for a terminal. */
export function renderExplanation(e: Explanation): string {
  const lines = [`pod ${e.namespace}/${e.pod}: ${e.allowed ? 'allowed' : 'denied'} (${e.outcome}, ${e.code})`, ''];
  for (const step of e.steps) {
    lines.push(`[${MARK[step.verdict]}] ${step.step.padEnd(9)} ${step.text}`);
    for (const item of step.items ?? []) lines.push(`                 ${item.split('\n').join('\n                 ')}`);
  }
  if (e.warnings.length > 0) {
    lines.push('', 'warnings kubectl would show:');
    for (const w of e.warnings) lines.push(`  - ${w}`);
  }
  if (e.message !== null) lines.push('', 'the message the StatefulSet\'s FailedCreate event would carry:', `  ${e.message.split('\n').join('\n  ')}`);
  if (e.diff !== '') lines.push('', 'what would change in the pod:', shortContext(e.diff.trimEnd()));
  return `${lines.join('\n')}\n`;
}
