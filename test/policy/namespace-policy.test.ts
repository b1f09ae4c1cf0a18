// The namespace annotation: what it reads, and the merge with the platform's policy field by
// field (tighten, loosen, equal), plus every way the annotation can be malformed.
import t from 'tap';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { platformPolicy, type EffectivePolicy } from '../../src/policy/effective-policy.js';
import { NAMESPACE_POLICY_ANNOTATION, readNamespacePolicy, tightenPolicy, type NamespacePolicy } from '../../src/policy/namespace-policy.js';

const platform = (over: Partial<Config['policy']> = {}, allowInitContainers = true): EffectivePolicy =>
  platformPolicy({ ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers }, policy: { ...DEFAULT_CONFIG.policy, ...over } });
const BY = (field: string): string => `namespace "team-a" annotation ${NAMESPACE_POLICY_ANNOTATION}: ${field}`;

t.test('readNamespacePolicy: JSON and YAML forms read to the same policy', async (t) => {
  const cases: Array<[string, string, NamespacePolicy]> = [
    ['JSON', '{"allowInitContainers": false}', { allowInitContainers: false }],
    ['YAML', 'allowInitContainers: false', { allowInitContainers: false }],
    [
      'every field, YAML',
      'podSecurity: restricted\nallowedImages: ["registry.example.com/*"]\nmaxSidecars: 1\nresourceCaps:\n  limits: {memory: 256Mi}\naction: enforce',
      { podSecurity: 'restricted', allowedImages: ['registry.example.com/*'], maxSidecars: 1, resourceCaps: { limits: { memory: '256Mi' } }, action: 'enforce' },
    ],
    ['a number quantity', '{"resourceCaps": {"requests": {"cpu": 1}}}', { resourceCaps: { requests: { cpu: '1' } } }],
  ];
  for (const [name, text, expected] of cases) {
    const read = readNamespacePolicy(text);
    t.strictSame(read, { ok: true, value: expected }, name);
  }
});

t.test('readNamespacePolicy: malformed annotations are NAMESPACE_POLICY_INVALID naming the annotation and field', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['not JSON', '{"maxSidecars": 1,', 'is not valid JSON'],
    ['not YAML', 'maxSidecars: [1', 'is not valid YAML'],
    ['a list', '[1, 2]', 'must hold an object'],
    ['a scalar', 'restricted', 'must hold an object'],
    ['unknown field (a typo)', '{"maxSidecar": 1}', '"maxSidecar": unknown field'],
    ['allowInitContainers not a boolean', '{"allowInitContainers": "no"}', 'allowInitContainers: must be true or false'],
    ['unknown level', '{"podSecurity": "strict"}', 'podSecurity: must be one of privileged, baseline, restricted'],
    ['negative maxSidecars', '{"maxSidecars": -1}', 'maxSidecars: must be a whole number >= 0'],
    ['fractional maxSidecars', '{"maxSidecars": 1.5}', 'maxSidecars: must be a whole number >= 0'],
    ['empty image list', '{"allowedImages": []}', 'allowedImages: must not be empty'],
    ['image list of numbers', '{"allowedImages": [1]}', 'allowedImages: must be a list of image patterns'],
    ['too many patterns', JSON.stringify({ allowedImages: Array.from({ length: 65 }, (_, i) => `r${i}/*`) }), 'at most 64 patterns'],
    ['bad quantity', '{"resourceCaps": {"limits": {"cpu": "lots"}}}', 'resourceCaps.limits."cpu": must be a quantity'],
    ['unknown caps kind', '{"resourceCaps": {"maximum": {}}}', 'resourceCaps."maximum": unknown field'],
    ['bad action', '{"action": "deny"}', 'action: must be enforce or warn'],
    ['too large', `{"allowedImages": ["${'x'.repeat(17 * 1024)}"]}`, 'larger than 16384 bytes'],
    ['YAML aliases', 'a: &x [1]\nb: *x', 'is not valid YAML'],
    ['too deep', '{"resourceCaps": {"limits": {"cpu": {"x": {"y": 1}}}}}', 'nests deeper than 4 levels'],
  ];
  for (const [name, text, expected] of cases) {
    const read = readNamespacePolicy(text);
    t.equal(read.ok, false, `${name}: refused`);
    if (read.ok) continue;
    t.equal(read.error.code, 'NAMESPACE_POLICY_INVALID', `${name}: code`);
    t.match(read.error.message, `namespace annotation ${NAMESPACE_POLICY_ANNOTATION} is invalid`, `${name}: names the annotation`);
    t.match(read.error.message, expected, `${name}: names the problem`);
  }
  const secret = readNamespacePolicy('{"podSecurity": "s3cr3t-value"}');
  t.notMatch(secret.ok ? '' : secret.error.message, 's3cr3t', 'a value is never quoted');
});

t.test('tightenPolicy: each field tightens, is equal, or is ignored as looser', async (t) => {
  type Row = [string, EffectivePolicy, NamespacePolicy, (p: EffectivePolicy) => unknown, unknown, string[], string[]];
  const rows: Row[] = [
    ['allowInitContainers false tightens', platform(), { allowInitContainers: false }, (p) => p.allowInitContainers, { value: false, by: BY('allowInitContainers') }, ['allowInitContainers false'], []],
    ['allowInitContainers true is looser than false', platform({}, false), { allowInitContainers: true }, (p) => p.allowInitContainers, { value: false, by: 'pipeline.allowInitContainers' }, [], ["allowInitContainers true is looser than the platform's false; the platform's applies"]],
    ['allowInitContainers true equals true', platform(), { allowInitContainers: true }, (p) => p.allowInitContainers.value, true, [], []],
    ['podSecurity restricted over baseline', platform(), { podSecurity: 'restricted' }, (p) => p.podSecurity.level, { value: 'restricted', by: BY('podSecurity') }, ['podSecurity restricted'], []],
    ['podSecurity privileged is looser than baseline', platform(), { podSecurity: 'privileged' }, (p) => p.podSecurity.level.value, 'baseline', [], ["podSecurity privileged is looser than the platform's baseline; the platform's applies"]],
    ['podSecurity equal', platform(), { podSecurity: 'baseline' }, (p) => p.podSecurity.level.by, 'policy.podSecurity', [], []],
    ['maxSidecars over no limit', platform(), { maxSidecars: 2 }, (p) => p.maxSidecars.max, { value: 2, by: BY('maxSidecars') }, ['maxSidecars 2'], []],
    ['maxSidecars lower', platform({ maxSidecars: { max: 3, action: 'enforce' } }), { maxSidecars: 1 }, (p) => p.maxSidecars.max?.value, 1, ['maxSidecars 1'], []],
    ['maxSidecars higher is looser', platform({ maxSidecars: { max: 3, action: 'enforce' } }), { maxSidecars: 5 }, (p) => p.maxSidecars.max, { value: 3, by: 'policy.maxSidecars' }, [], ["maxSidecars 5 is looser than the platform's 3; the platform's applies"]],
    ['maxSidecars 0 forbids', platform(), { maxSidecars: 0 }, (p) => p.maxSidecars.max?.value, 0, ['maxSidecars 0'], []],
    [
      'allowedImages adds a set (both must match)',
      platform({ allowedImages: { patterns: ['registry.example.com/*'], action: 'enforce' } }),
      { allowedImages: ['registry.example.com/team-a/*'] },
      (p) => p.allowedImages.sets,
      [{ value: ['registry.example.com/*'], by: 'policy.allowedImages' }, { value: ['registry.example.com/team-a/*'], by: BY('allowedImages') }],
      ['allowedImages registry.example.com/team-a/*'],
      [],
    ],
    ['allowedImages where the platform allows any', platform(), { allowedImages: ['ubuntu:24.04'] }, (p) => p.allowedImages.sets.length, 1, ['allowedImages ubuntu:24.04'], []],
    ['a cap where the platform has none', platform(), { resourceCaps: { limits: { memory: '256Mi' } } }, (p) => p.resourceCaps.limits, { memory: { value: '256Mi', by: BY('resourceCaps.limits.memory') } }, ['resourceCaps.limits.memory 256Mi'], []],
    [
      'a smaller cap',
      platform({ resourceCaps: { requests: { cpu: '1' }, limits: {}, action: 'enforce' } }),
      { resourceCaps: { requests: { cpu: '500m' } } },
      (p) => p.resourceCaps.requests.cpu,
      { value: '500m', by: BY('resourceCaps.requests.cpu') },
      ['resourceCaps.requests.cpu 500m'],
      [],
    ],
    [
      'a larger cap is looser (1Gi > 512Mi, compared as quantities)',
      platform({ resourceCaps: { requests: {}, limits: { memory: '512Mi' }, action: 'enforce' } }),
      { resourceCaps: { limits: { memory: '1Gi' } } },
      (p) => p.resourceCaps.limits.memory,
      { value: '512Mi', by: 'policy.resourceCaps.limits.memory' },
      [],
      ["resourceCaps.limits.memory 1Gi is looser than the platform's 512Mi; the platform's applies"],
    ],
    [
      'action enforce turns warn rules into enforced ones',
      platform({ podSecurity: { level: 'baseline', action: 'warn' } }),
      { action: 'enforce' },
      (p) => p.podSecurity.action,
      'enforce',
      ['action enforce'],
      [],
    ],
    ['action warn is looser than enforce', platform(), { action: 'warn' }, (p) => p.podSecurity.action, 'enforce', [], ["action warn is looser than the platform's enforce; the platform's applies"]],
  ];
  for (const [name, base, ns, pick, expected, tightened, ignored] of rows) {
    const merged = tightenPolicy(base, 'team-a', ns);
    t.strictSame(pick(merged), expected, `${name}: value`);
    t.strictSame(merged.namespace, { namespace: 'team-a', tightened, ignored }, `${name}: what tightened and what was ignored`);
  }
});

t.test('tightenPolicy never loosens: every field of the result is at least as strict as the platform', async (t) => {
  const base = platform({ maxSidecars: { max: 2, action: 'enforce' }, podSecurity: { level: 'restricted', action: 'enforce' } }, false);
  const loosest: NamespacePolicy = { allowInitContainers: true, podSecurity: 'privileged', maxSidecars: 99, action: 'warn', resourceCaps: { limits: {} } };
  const merged = tightenPolicy(base, 'team-a', loosest);
  t.strictSame(
    [merged.allowInitContainers.value, merged.podSecurity.level.value, merged.maxSidecars.max?.value, merged.podSecurity.action],
    [false, 'restricted', 2, 'enforce'],
  );
  t.equal(merged.namespace?.ignored.length, 4, 'each looser field is named');
});
