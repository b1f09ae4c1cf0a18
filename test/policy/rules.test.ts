import t from 'tap';
import { evaluatePolicy } from '../../src/policy/rules.js';
import { platformPolicy } from '../../src/policy/effective-policy.js';
import { imageAllowed } from '../../src/policy/images.js';
import { podSecurityViolations } from '../../src/policy/pod-security.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import type { JsonObject } from '../../src/json.js';

t.test('image patterns', async (t) => {
  const cases: [string, string[], boolean][] = [
    ['registry.example.com/ingest:1.0', ['registry.example.com/*'], true],
    ['registry.example.com/team/ingest:1.0', ['registry.example.com/*'], true],
    ['registry.example.com.evil.io/x:1', ['registry.example.com/*'], false],
    ['ubuntu:24.04', ['ubuntu:24.04'], true],
    ['ubuntu:22.04', ['ubuntu:24.04'], false],
    ['ubuntu:24.04', ['ubuntu:2?.04'], true],
    ['anything', [], false],
    ['a.b/c', ['a?b/c'], true],
    ['axb/c', ['a.b/c'], false],
  ];
  for (const [image, patterns, expected] of cases) t.equal(imageAllowed(image, patterns), expected, `${image} vs ${patterns.join(',')}`);
});

t.test('pod security levels', async (t) => {
  const cases: [string, JsonObject, JsonObject, 'baseline' | 'restricted', string[]][] = [
    ['plain container is baseline', { name: 'a' }, {}, 'baseline', []],
    ['privileged', { securityContext: { privileged: true } }, {}, 'baseline', ['securityContext.privileged']],
    ['NET_ADMIN', { securityContext: { capabilities: { add: ['NET_ADMIN'] } } }, {}, 'baseline', ['capabilities.add: "NET_ADMIN"']],
    ['CHOWN is baseline', { securityContext: { capabilities: { add: ['CHOWN'] } } }, {}, 'baseline', []],
    ['hostPort', { ports: [{ containerPort: 80, hostPort: 80 }] }, {}, 'baseline', ['ports[0].hostPort']],
    ['unconfined seccomp', { securityContext: { seccompProfile: { type: 'Unconfined' } } }, {}, 'baseline', ['seccompProfile.type']],
    ['procMount', { securityContext: { procMount: 'Unmasked' } }, {}, 'baseline', ['procMount']],
    ['plain container is not restricted', { name: 'a' }, {}, 'restricted', ['allowPrivilegeEscalation', 'capabilities.drop', 'runAsNonRoot', 'seccompProfile.type']],
    ['restricted via pod-level context', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, 'restricted', []],
    ['root user', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }, {}, 'restricted', ['runAsUser']],
    ['container overrides pod runAsNonRoot', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } }, { runAsNonRoot: true }, 'restricted', ['runAsNonRoot']],
  ];
  for (const [what, container, podSc, level, fragments] of cases) {
    const got = podSecurityViolations(container, podSc, level, 'c');
    if (fragments.length === 0) t.strictSame(got, [], what);
    else {
      t.equal(got.length, fragments.length, `${what}: ${got.join(' | ')}`);
      for (const f of fragments) t.ok(got.some((v) => v.includes(f)), `${what}: mentions ${f}`);
    }
  }
});

function config(policy: Partial<Config['policy']>): Config {
  return { ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, ...policy } };
}
const sidecar = (over: JsonObject = {}): JsonObject => ({
  name: 's', image: 'registry.example.com/s:1', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } }, ...over,
});

t.test('each rule enforces or warns as configured', async (t) => {
  const many = [sidecar(), sidecar({ name: 't' })];
  let v = evaluatePolicy(many, {}, platformPolicy(config({ maxSidecars: { max: 1, action: 'enforce' } })));
  t.equal(v.deny.length, 1);
  t.match(v.deny[0], 'at most 1 (policy.maxSidecars)');
  v = evaluatePolicy(many, {}, platformPolicy(config({ maxSidecars: { max: 1, action: 'warn' } })));
  t.strictSame([v.deny.length, v.warn.length], [0, 1]);

  v = evaluatePolicy([sidecar({ image: 'docker.io/x:1' })], {}, platformPolicy(config({ allowedImages: { patterns: ['registry.example.com/*'], action: 'enforce' } })));
  t.match(v.deny[0], 'init_containers[0].image: "docker.io/x:1" is not allowed by policy.allowedImages');

  v = evaluatePolicy([sidecar()], {}, platformPolicy(config({ resourceCaps: { requests: {}, limits: { memory: '256Mi', 'ephemeral-storage': '1Gi' }, action: 'enforce' } })));
  t.equal(v.deny.length, 2);
  t.match(v.deny.join('\n'), 'init_containers[0].resources.limits.memory: above the platform cap 256Mi');
  t.match(v.deny.join('\n'), 'resources.limits.ephemeral-storage: must be set');

  v = evaluatePolicy([sidecar({ securityContext: { privileged: true } })], {}, platformPolicy(DEFAULT_CONFIG));
  t.equal(v.deny.length, 1, 'baseline is enforced by default');
  v = evaluatePolicy([sidecar({ securityContext: { privileged: true } })], {}, platformPolicy(config({ podSecurity: { level: 'privileged', action: 'enforce' } })));
  t.strictSame([v.deny, v.warn], [[], []], 'level privileged allows anything');
  t.strictSame(v.rules.find((r) => r.rule === 'podSecurity'), { rule: 'podSecurity', action: 'enforce', active: false, violations: [] }, 'and says the rule checks nothing');
});

t.test('each rule reports its own result, for explain and the per-rule metrics', async (t) => {
  const v = evaluatePolicy(
    [sidecar({ image: 'docker.io/x:1' }), sidecar({ securityContext: { privileged: true } })],
    {},
    platformPolicy(config({ allowedImages: { patterns: ['registry.example.com/*'], action: 'warn' }, maxSidecars: { max: 1, action: 'enforce' } })),
  );
  t.strictSame(
    v.rules.map((r) => [r.rule, r.action, r.active, r.violations.length]),
    [
      ['maxSidecars', 'enforce', true, 1],
      ['allowedImages', 'warn', true, 1],
      ['resourceCaps', 'enforce', false, 0],
      ['podSecurity', 'enforce', true, 1],
    ],
  );
});
