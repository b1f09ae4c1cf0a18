// The policy in force for one admission: the platform's (the config file) or, in a namespace with
// a policy annotation, the platform's tightened by it (namespace-policy.ts). Each limit carries
// where it came from, so a denial names the setting to change: "policy.maxSidecars" or the
// namespace's annotation and field.
import type { Action, Config, PodSecurityLevel } from '../config/config.js';

/** A limit and the setting that imposes it. */
export interface Sourced<T> {
  value: T;
  by: string;
}

export interface EffectivePolicy {
  allowInitContainers: Sourced<boolean>;
  /** A sidecar's image must match one pattern of EVERY set (the platform's and the namespace's). */
  allowedImages: { sets: Array<Sourced<readonly string[]>>; action: Action };
  maxSidecars: { max: Sourced<number> | null; action: Action };
  resourceCaps: { requests: Record<string, Sourced<string>>; limits: Record<string, Sourced<string>>; action: Action };
  podSecurity: { level: Sourced<PodSecurityLevel>; action: Action };
  /** Set when a namespace annotation took part. */
  namespace: NamespaceContribution | null;
}

export interface NamespaceContribution {
  namespace: string;
  /** Fields of the annotation that tightened the platform's policy, e.g. "maxSidecars 1". */
  tightened: string[];
  /** Fields that would have loosened it: ignored, each one a warning on the admission. */
  ignored: string[];
}

function capsOf(caps: Record<string, string>, kind: 'requests' | 'limits'): Record<string, Sourced<string>> {
  return Object.fromEntries(Object.entries(caps).map(([name, value]) => [name, { value, by: `policy.resourceCaps.${kind}.${name}` }]));
}

// Built once per Config object: the hot path of a namespace without an annotation is a lookup.
const PLATFORM = new WeakMap<Config, EffectivePolicy>();

export function platformPolicy(config: Config): EffectivePolicy {
  const known = PLATFORM.get(config);
  if (known !== undefined) return known;
  const { allowedImages, maxSidecars, resourceCaps, podSecurity } = config.policy;
  const policy: EffectivePolicy = {
    allowInitContainers: { value: config.pipeline.allowInitContainers, by: 'pipeline.allowInitContainers' },
    allowedImages: { sets: allowedImages.patterns.length > 0 ? [{ value: allowedImages.patterns, by: 'policy.allowedImages' }] : [], action: allowedImages.action },
    maxSidecars: { max: maxSidecars.max === null ? null : { value: maxSidecars.max, by: 'policy.maxSidecars' }, action: maxSidecars.action },
    resourceCaps: { requests: capsOf(resourceCaps.requests, 'requests'), limits: capsOf(resourceCaps.limits, 'limits'), action: resourceCaps.action },
    podSecurity: { level: { value: podSecurity.level, by: 'policy.podSecurity' }, action: podSecurity.action },
    namespace: null,
  };
  PLATFORM.set(config, policy);
  return policy;
}
