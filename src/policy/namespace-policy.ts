// A namespace's own policy, from its sidecar.feldera.com/policy annotation: it may tighten the
// platform's policy for the pods of that namespace, never loosen it. The result of the merge is
// the stricter of the two, field by field, so it can never be looser than the platform's whatever
// the annotation says. A field that asks for something looser is ignored and named in a warning
// on every admission it concerns (README "Namespace policy" says why this and not a denial). An
// annotation that cannot be read, or has a field this webhook does not know, is an error: the
// admissions it concerns fail closed, since a typo ("maxSidecar") must not silently tighten nothing.
import type { Action, PodSecurityLevel, ResourceList } from '../config/config.js';
import { fail, injectorError, ok, type Result } from '../errors.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import { compareQuantities, parseQuantity } from '../kube/quantity.js';
import { quoteName } from '../messages.js';
import { readStructuredObject } from '../text/structured.js';
import type { EffectivePolicy, Sourced } from './effective-policy.js';

export const NAMESPACE_POLICY_ANNOTATION = 'sidecar.feldera.com/policy';

export const NAMESPACE_POLICY_LIMITS = {
  /** Bytes of the annotation: a policy is a few lines. */
  bytes: 16 * 1024,
  depth: 4,
  /** Image patterns in allowedImages, and characters of each. */
  patterns: 64,
  patternLength: 512,
  /** Resource names in each of resourceCaps.requests and .limits. */
  resources: 16,
} as const;

export interface NamespacePolicy {
  allowInitContainers?: boolean;
  podSecurity?: PodSecurityLevel;
  /** An image must match one of these AND the platform's policy.allowedImages. */
  allowedImages?: string[];
  maxSidecars?: number;
  resourceCaps?: { requests?: ResourceList; limits?: ResourceList };
  /** enforce: every rule denies in this namespace, even one the platform only warns about. */
  action?: Action;
}

const FIELDS = ['allowInitContainers', 'podSecurity', 'allowedImages', 'maxSidecars', 'resourceCaps', 'action'] as const;
const LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return isObject(value) ? 'a map' : `a ${typeof value}`;
}

function readCaps(value: Json, at: string, errors: string[]): ResourceList | undefined {
  if (!isObject(value)) {
    errors.push(`${at}: must be a map of resource name to quantity, got ${kindOf(value)}`);
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length > NAMESPACE_POLICY_LIMITS.resources) {
    errors.push(`${at}: ${entries.length} resources, at most ${NAMESPACE_POLICY_LIMITS.resources}`);
    return undefined;
  }
  const caps: ResourceList = {};
  for (const [name, quantity] of entries) {
    const q = typeof quantity === 'string' || typeof quantity === 'number' ? parseQuantity(String(quantity)) : null;
    if (q === null || q.negative) errors.push(`${at}.${quoteName(name)}: must be a quantity such as "500m" or "512Mi"`);
    else caps[name] = String(quantity);
  }
  return caps;
}

function readFields(object: JsonObject, errors: string[]): NamespacePolicy {
  const policy: NamespacePolicy = {};
  for (const [key, value] of Object.entries(object)) {
    switch (key) {
      case 'allowInitContainers':
        if (typeof value === 'boolean') policy.allowInitContainers = value;
        else errors.push(`allowInitContainers: must be true or false, got ${kindOf(value)}`);
        break;
      case 'podSecurity':
        if (typeof value === 'string' && (LEVELS as readonly string[]).includes(value)) policy.podSecurity = value as PodSecurityLevel;
        else errors.push(`podSecurity: must be one of ${LEVELS.join(', ')}`);
        break;
      case 'action':
        if (value === 'enforce' || value === 'warn') policy.action = value;
        else errors.push('action: must be enforce or warn');
        break;
      case 'maxSidecars':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) policy.maxSidecars = value;
        else errors.push('maxSidecars: must be a whole number >= 0');
        break;
      case 'allowedImages':
        if (!Array.isArray(value) || !value.every((p): p is string => typeof p === 'string' && p !== '')) {
          errors.push('allowedImages: must be a list of image patterns such as "registry.example.com/*"');
        } else if (value.length === 0) {
          errors.push('allowedImages: must not be empty (to forbid every sidecar, set allowInitContainers: false)');
        } else if (value.length > NAMESPACE_POLICY_LIMITS.patterns || value.some((p) => p.length > NAMESPACE_POLICY_LIMITS.patternLength)) {
          errors.push(`allowedImages: at most ${NAMESPACE_POLICY_LIMITS.patterns} patterns of at most ${NAMESPACE_POLICY_LIMITS.patternLength} characters`);
        } else {
          policy.allowedImages = value;
        }
        break;
      case 'resourceCaps': {
        if (!isObject(value)) {
          errors.push(`resourceCaps: must be a map with requests and/or limits, got ${kindOf(value)}`);
          break;
        }
        const caps: NonNullable<NamespacePolicy['resourceCaps']> = {};
        for (const [kind, list] of Object.entries(value)) {
          if (kind !== 'requests' && kind !== 'limits') {
            errors.push(`resourceCaps.${quoteName(kind)}: unknown field (known: requests, limits)`);
            continue;
          }
          const read = readCaps(list, `resourceCaps.${kind}`, errors);
          if (read !== undefined) caps[kind] = read;
        }
        policy.resourceCaps = caps;
        break;
      }
      default:
        errors.push(`${quoteName(key)}: unknown field (known: ${FIELDS.join(', ')})`);
    }
  }
  return policy;
}

/** The annotation's text -> a checked policy, or NAMESPACE_POLICY_INVALID naming the annotation and field. */
export function readNamespacePolicy(text: string): Result<NamespacePolicy> {
  const read = readStructuredObject(text, NAMESPACE_POLICY_LIMITS);
  const problem = (what: string): Result<NamespacePolicy> =>
    fail(injectorError('NAMESPACE_POLICY_INVALID', `namespace annotation ${NAMESPACE_POLICY_ANNOTATION} is invalid: ${what}`));
  if (!read.ok) return problem(read.problem);
  const errors: string[] = [];
  const policy = readFields(read.value, errors);
  if (errors.length > 0) return problem(errors.length === 1 ? errors[0]! : `\n- ${errors.join('\n- ')}`);
  return ok(policy);
}

/** The stricter of the platform's policy and the namespace's, with what tightened and what was ignored. */
export function tightenPolicy(platform: EffectivePolicy, namespace: string, policy: NamespacePolicy): EffectivePolicy {
  const tightened: string[] = [];
  const ignored: string[] = [];
  const by = (field: string): string => `namespace ${quoteName(namespace)} annotation ${NAMESPACE_POLICY_ANNOTATION}: ${field}`;
  const looser = (field: string, theirs: string, ours: string): void => {
    ignored.push(`${field} ${theirs} is looser than the platform's ${ours}; the platform's applies`);
  };

  let allowInitContainers = platform.allowInitContainers;
  if (policy.allowInitContainers === false && platform.allowInitContainers.value) {
    allowInitContainers = { value: false, by: by('allowInitContainers') };
    tightened.push('allowInitContainers false');
  } else if (policy.allowInitContainers === true && !platform.allowInitContainers.value) {
    looser('allowInitContainers', 'true', 'false');
  }

  const tightenAction = (ours: Action): Action => (policy.action === 'enforce' ? 'enforce' : ours);
  if (policy.action === 'enforce') tightened.push('action enforce');
  if (policy.action === 'warn') {
    const enforced = [platform.maxSidecars, platform.allowedImages, platform.resourceCaps, platform.podSecurity].some((r) => r.action === 'enforce');
    if (enforced) looser('action', 'warn', 'enforce');
  }

  const sets = [...platform.allowedImages.sets];
  if (policy.allowedImages !== undefined) {
    sets.push({ value: policy.allowedImages, by: by('allowedImages') });
    tightened.push(`allowedImages ${policy.allowedImages.join(', ')}`);
  }

  let max = platform.maxSidecars.max;
  if (policy.maxSidecars !== undefined) {
    if (max === null || policy.maxSidecars < max.value) {
      max = { value: policy.maxSidecars, by: by('maxSidecars') };
      tightened.push(`maxSidecars ${policy.maxSidecars}`);
    } else if (policy.maxSidecars > max.value) {
      looser('maxSidecars', String(policy.maxSidecars), String(max.value));
    }
  }

  const caps = { requests: { ...platform.resourceCaps.requests }, limits: { ...platform.resourceCaps.limits } };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, quantity] of Object.entries(policy.resourceCaps?.[kind] ?? {})) {
      const field = `resourceCaps.${kind}.${name}`;
      const current: Sourced<string> | undefined = caps[kind][name];
      const theirs = parseQuantity(quantity);
      const ours = current === undefined ? null : parseQuantity(current.value);
      if (theirs === null) continue; // readNamespacePolicy refused it already
      if (ours === null || compareQuantities(theirs, ours) < 0) {
        caps[kind][name] = { value: quantity, by: by(field) };
        tightened.push(`${field} ${quantity}`);
      } else if (current !== undefined && compareQuantities(theirs, ours) > 0) {
        looser(field, quantity, current.value);
      }
    }
  }

  let level = platform.podSecurity.level;
  if (policy.podSecurity !== undefined) {
    const rank = (l: PodSecurityLevel): number => LEVELS.indexOf(l);
    if (rank(policy.podSecurity) > rank(level.value)) {
      level = { value: policy.podSecurity, by: by('podSecurity') };
      tightened.push(`podSecurity ${policy.podSecurity}`);
    } else if (rank(policy.podSecurity) < rank(level.value)) {
      looser('podSecurity', policy.podSecurity, level.value);
    }
  }

  return {
    allowInitContainers,
    allowedImages: { sets, action: tightenAction(platform.allowedImages.action) },
    maxSidecars: { max, action: tightenAction(platform.maxSidecars.action) },
    resourceCaps: { ...caps, action: tightenAction(platform.resourceCaps.action) },
    podSecurity: { level, action: tightenAction(platform.podSecurity.action) },
    namespace: { namespace, tightened, ignored },
  };
}
