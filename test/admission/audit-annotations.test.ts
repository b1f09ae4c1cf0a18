// The audit annotations each answer carries (keys are prefixed with the webhook name by the apiserver).
import t from 'tap';
import { AUDIT_VALUE_MAX, auditAnnotations, errored, type AuditFacts } from '../../src/admission/response.js';

const rows: Array<[string, AuditFacts, Record<string, string>]> = [
  ['skipped', { outcome: 'skipped', code: 'NO_RUNTIME_CONFIG', injected: [], policyWarnings: [] }, { decision: 'skipped/NO_RUNTIME_CONFIG' }],
  ['injected', { outcome: 'injected', code: 'INJECTED', injected: ['a', 'b'], policyWarnings: [] }, { decision: 'injected/INJECTED', injected: 'a,b' }],
  [
    'injected with policy warnings',
    { outcome: 'injected', code: 'INJECTED', injected: ['a'], policyWarnings: ['w1', 'w2'] },
    { decision: 'injected/INJECTED', injected: 'a', 'policy-warning': 'w1; w2' },
  ],
  ['denied', { outcome: 'denied', code: 'POLICY_VIOLATION', injected: [], policyWarnings: [] }, { decision: 'denied/POLICY_VIOLATION' }],
];
for (const [what, facts, expected] of rows) t.test(what, async (t) => t.strictSame(auditAnnotations(facts), expected));

t.test('values are bounded', async (t) => {
  const long = auditAnnotations({ outcome: 'injected', code: 'INJECTED', injected: Array.from({ length: 500 }, (_, i) => `sidecar-${i}`), policyWarnings: ['x'.repeat(5000)] });
  t.strictSame(long.injected?.length, AUDIT_VALUE_MAX);
  t.strictSame(long['policy-warning']?.length, AUDIT_VALUE_MAX);
  t.ok(long.injected?.endsWith('...'));
});

t.test('keys are valid name parts of a qualified name (the apiserver adds "<webhook>/")', async (t) => {
  const keys = Object.keys(auditAnnotations({ outcome: 'injected', code: 'INJECTED', injected: ['a'], policyWarnings: ['w'] }));
  t.strictSame(keys.filter((k) => !/^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/.test(k)), []);
});

t.test('an Errored answer says so too', async (t) => {
  t.strictSame(errored('u', 'm').auditAnnotations, { decision: 'error/INTERNAL_ERROR' });
});
