// The platform team's rules over the sidecars about to be injected. Each rule is enforced (the
// pod is denied) or only warned (AdmissionResponse warnings), as configured.
import type { Action } from '../config/config.js';
import type { EffectivePolicy, Sourced } from './effective-policy.js';
import { isObject, type JsonObject } from '../json.js';
import { compareQuantities, parseQuantity } from '../kube/quantity.js';
import { imageAllowed } from './images.js';
import { podSecurityViolations } from './pod-security.js';
import { quoteName } from '../messages.js';

export type RuleName = 'maxSidecars' | 'allowedImages' | 'resourceCaps' | 'podSecurity';

/** One rule's outcome over all the sidecars: for explain and for the per-rule metrics. */
export interface RuleResult {
  rule: RuleName;
  action: Action;
  /** Whether the rule has anything to check (an empty allow-list or no caps check nothing). */
  active: boolean;
  violations: string[];
}

export interface Verdict {
  deny: string[];
  warn: string[];
  rules: RuleResult[];
}

function record(verdict: Verdict, rule: RuleName, action: Action, active: boolean, messages: readonly string[]): void {
  (action === 'enforce' ? verdict.deny : verdict.warn).push(...messages);
  const existing = verdict.rules.find((r) => r.rule === rule);
  if (existing === undefined) verdict.rules.push({ rule, action, active, violations: [...messages] });
  else existing.violations.push(...messages);
}

/** "platform" or "namespace's", for the words of a message; `by` names the exact setting. */
function whose(by: string): string {
  return by.startsWith('namespace ') ? "namespace's" : 'platform';
}

function capViolations(sidecar: JsonObject, at: string, kind: 'requests' | 'limits', caps: Record<string, Sourced<string>>): string[] {
  const resources = isObject(sidecar.resources) ? sidecar.resources : {};
  const list = isObject(resources[kind]) ? resources[kind] : {};
  const out: string[] = [];
  for (const [name, cap] of Object.entries(caps)) {
    const value = list[name];
    const capQ = parseQuantity(cap.value);
    if (capQ === null) continue; // config validation already refused it
    if (value === undefined) {
      out.push(`${at}.resources.${kind}.${name}: must be set, at most ${cap.value} (${cap.by})`);
      continue;
    }
    const valueQ = parseQuantity(value);
    if (valueQ !== null && compareQuantities(valueQ, capQ) > 0) {
      out.push(`${at}.resources.${kind}.${name}: above the ${whose(cap.by)} cap ${cap.value} (${cap.by})`);
    }
  }
  return out;
}

/** sidecars: the rendered sidecars (resources filled), sidecars[i] from init_containers[i]. */
export function evaluatePolicy(sidecars: readonly JsonObject[], pod: JsonObject, policy: EffectivePolicy): Verdict {
  const { allowedImages, maxSidecars, resourceCaps, podSecurity } = policy;
  const verdict: Verdict = { deny: [], warn: [], rules: [] };
  const max = maxSidecars.max;
  record(
    verdict,
    'maxSidecars',
    maxSidecars.action,
    max !== null,
    max !== null && sidecars.length > max.value
      ? [`init_containers: ${sidecars.length} sidecars declared, the ${whose(max.by) === 'platform' ? 'platform' : "namespace's policy"} allows at most ${max.value} (${max.by})`]
      : [],
  );
  const capsActive = Object.keys(resourceCaps.requests).length > 0 || Object.keys(resourceCaps.limits).length > 0;
  const level = podSecurity.level.value;
  record(verdict, 'allowedImages', allowedImages.action, allowedImages.sets.length > 0, []);
  record(verdict, 'resourceCaps', resourceCaps.action, capsActive, []);
  record(verdict, 'podSecurity', podSecurity.action, level !== 'privileged', []);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const podSecurityContext = isObject(spec.securityContext) ? spec.securityContext : {};
  sidecars.forEach((sidecar, index) => {
    const at = `init_containers[${index}]`;
    const image = String(sidecar.image);
    const refused = allowedImages.sets.find((set) => !imageAllowed(image, set.value));
    if (refused !== undefined) {
      record(verdict, 'allowedImages', allowedImages.action, true, [
        `${at}.image: ${quoteName(image, 128)} is not allowed by ${refused.by} (allowed: ${refused.value.join(', ')})`,
      ]);
    }
    record(verdict, 'resourceCaps', resourceCaps.action, capsActive, [
      ...capViolations(sidecar, at, 'requests', resourceCaps.requests),
      ...capViolations(sidecar, at, 'limits', resourceCaps.limits),
    ]);
    record(
      verdict,
      'podSecurity',
      podSecurity.action,
      level !== 'privileged',
      podSecurityViolations(sidecar, podSecurityContext, level, at).map((v) => `${v} (Pod Security "${level}", ${podSecurity.level.by})`),
    );
  });
  return verdict;
}
