// Property: whatever a namespace's annotation holds (any text, any JSON value, any mix of known
// fields), reading it never throws, and a policy it yields never loosens the platform's.
import t from 'tap';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { compareQuantities, parseQuantity } from '../../src/kube/quantity.js';
import { platformPolicy } from '../../src/policy/effective-policy.js';
import { readNamespacePolicy, tightenPolicy } from '../../src/policy/namespace-policy.js';

const LEVELS = ['privileged', 'baseline', 'restricted'] as const;
const quantity = fc.constantFrom('100m', '1', '2', '256Mi', '1Gi', '512Mi', 1, 0.5);
const fieldValue = fc.oneof(fc.jsonValue(), fc.constantFrom(...LEVELS), fc.boolean(), fc.integer({ min: -2, max: 40 }), fc.array(fc.constantFrom('registry.example.com/*', 'ubuntu:*')), fc.dictionary(fc.constantFrom('requests', 'limits'), fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity)));
const annotation = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom('allowInitContainers', 'podSecurity', 'allowedImages', 'maxSidecars', 'resourceCaps', 'action', 'other'), fieldValue).map((v) => JSON.stringify(v)),
);
const platformConfig = fc.record({
  allow: fc.boolean(),
  level: fc.constantFrom(...LEVELS),
  max: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  cap: fc.option(fc.constantFrom('500m', '1', '256Mi'), { nil: null }),
}).map(({ allow, level, max, cap }): Config => ({
  ...DEFAULT_CONFIG,
  pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: allow },
  policy: {
    ...DEFAULT_CONFIG.policy,
    podSecurity: { level, action: 'enforce' },
    maxSidecars: { max, action: 'enforce' },
    resourceCaps: { requests: cap === null ? {} : { cpu: cap.endsWith('Mi') ? '1' : cap }, limits: {}, action: 'enforce' },
  },
}));

t.test('reading any annotation never throws; the merge is never looser than the platform', async (t) => {
  let policies = 0;
  fc.assert(
    fc.property(annotation, platformConfig, (text, config) => {
      const read = readNamespacePolicy(text);
      if (!read.ok) return read.error.code === 'NAMESPACE_POLICY_INVALID';
      policies++;
      const base = platformPolicy(config);
      const merged = tightenPolicy(base, 'ns', read.value);
      if (base.allowInitContainers.value === false && merged.allowInitContainers.value) return false;
      if (LEVELS.indexOf(merged.podSecurity.level.value) < LEVELS.indexOf(base.podSecurity.level.value)) return false;
      if (base.maxSidecars.max !== null && (merged.maxSidecars.max === null || merged.maxSidecars.max.value > base.maxSidecars.max.value)) return false;
      if (merged.allowedImages.sets.length < base.allowedImages.sets.length) return false;
      for (const [name, cap] of Object.entries(base.resourceCaps.requests)) {
        const after = merged.resourceCaps.requests[name];
        if (after === undefined || compareQuantities(parseQuantity(after.value)!, parseQuantity(cap.value)!) > 0) return false;
      }
      return merged.podSecurity.action === 'enforce' && merged.maxSidecars.action === 'enforce';
    }),
    { numRuns: 2000 },
  );
  t.ok(policies > 50, `a fair share of the inputs were valid policies (${policies})`);
});
