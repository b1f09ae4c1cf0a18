// Every row of the validation table (test/pipeline/validation-cases.ts) through our validation:
// the verdict and the path of the first error must be the row's. The same rows go through the
// real kube-apiserver in test/e2e/validation-table.test.ts.
import t from 'tap';
import type { Json } from '../../src/json.js';
import { RULES, validateContainers, validationContextOf, type Rule } from '../../src/pipeline/container-validation.js';
import { LIMITS } from '../../src/pipeline/limits.js';
import { CASE_CONTEXT, CASE_POD_SPEC, CASES, type ValidationCase } from './validation-cases.js';

interface Outcome {
  verdict: 'valid' | 'invalid';
  path: string | undefined;
  errors: string[];
  warnings: string[];
}

/** What the webhook makes of a row: JSON.parse (a failure denies the runtime config), then validation. */
function judge(row: ValidationCase, fired?: Set<Rule>): Outcome {
  let declared: Json[];
  try {
    declared = [...(row.before ?? []), row.container].map((text) => JSON.parse(text) as Json);
  } catch {
    return { verdict: 'invalid', path: undefined, errors: ['not JSON'], warnings: [] };
  }
  const { errors, warnings } = validateContainers(declared, CASE_CONTEXT, fired === undefined ? undefined : (rule) => fired.add(rule));
  const first = errors[0];
  return { verdict: errors.length > 0 ? 'invalid' : 'valid', path: first === undefined ? undefined : first.slice(0, first.indexOf(': ')), errors, warnings };
}

const fired = new Set<Rule>();
for (const row of CASES) {
  t.test(row.name, async (t) => {
    const outcome = judge(row, fired);
    t.strictSame({ verdict: outcome.verdict, path: outcome.path }, { verdict: row.expect, path: row.expect === 'invalid' ? row.path : undefined }, outcome.errors.join('\n'));
    if (row.warning !== undefined) {
      const warning = row.warning;
      t.strictSame(outcome.warnings.some((w) => w.includes(warning)), true, `a warning contains ${warning}; got:\n${outcome.warnings.join('\n')}`);
    }
    for (const line of [...outcome.errors, ...outcome.warnings]) {
      t.strictSame(line.includes('12345') || line.includes('busybox'), false, `no value quoted back: ${line}`);
    }
  });
}

t.test('every rule of the table is exercised by some row', async (t) => {
  const missing = RULES.filter((rule) => !fired.has(rule)).map((rule) => `${rule.at.join(', ')}: ${rule.rule}`);
  t.strictSame(missing, []);
});

t.test('the case context is what validationContextOf reads from the case pod', async (t) => {
  t.strictSame(validationContextOf({ spec: JSON.parse(JSON.stringify(CASE_POD_SPEC)) as Json } as never), CASE_CONTEXT);
  t.strictSame(validationContextOf({}), { terminationGracePeriodSeconds: 30, podClaimNames: [], hostUsers: true, podRestartPolicy: 'Always' });
});

t.test('without a context, the pod-dependent parts are skipped', async (t) => {
  const sidecar = { name: 'a', image: 'b', resources: { claims: [{ name: 'gpu' }] }, lifecycle: { preStop: { sleep: { seconds: 300 } } }, securityContext: { procMount: 'Unmasked' } };
  t.strictSame(validateContainers([sidecar]).errors, []);
  t.strictSame(validateContainers([sidecar], { ...CASE_CONTEXT, podClaimNames: [] }).errors, [
    "init_containers[0].resources.claims[0].name: \"gpu\" must be one of the pod's spec.resourceClaims (it has none)",
    "init_containers[0].lifecycle.preStop.sleep.seconds: must be at most the pod's terminationGracePeriodSeconds (30)",
    "init_containers[0].securityContext.procMount: Unmasked needs the pod's securityContext.hostUsers: false",
  ]);
});

t.test('messages: every mistake at once, paths into the runtime config, names quoted and cut', async (t) => {
  const { errors, warnings } = validateContainers([{ name: 'X'.repeat(200) }, 3, { name: 'ok', image: 'b', env: [{ name: 'SECRET', value: 's3cr3t' }, { name: 'A=B', valueFrom: {} }] }]);
  t.strictSame(errors, [
    `init_containers[0].name: "${'X'.repeat(63)}..." must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    'init_containers[0].image: required (e.g. "ubuntu:24.04")',
    'init_containers[1]: must be a Kubernetes Container object, got a number',
    'init_containers[2].env[1].name: "A=B" must consist of printable ASCII characters other than \'=\'',
    'init_containers[2].env[1].valueFrom: must set one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef',
  ]);
  t.strictSame(warnings, []);
  t.strictSame(errors.join('\n').includes('s3cr3t'), false);
});

t.test('the copy: unknown fields and prototype keys never reach it', async (t) => {
  const declared = JSON.parse('{"name":"a","image":"b","__proto__":{"polluted":true},"livenessProbe":{"exec":{"command":["x"]},"constructor":{"prototype":1}},"resources":{"limits":{"cpu":"1"}}}') as Json;
  const { containers, errors, warnings } = validateContainers([declared]);
  t.strictSame(errors, []);
  t.strictSame(containers, [{ name: 'a', image: 'b', livenessProbe: { exec: { command: ['x'] } }, resources: { limits: { cpu: '1' } } }]);
  t.strictSame(Object.getPrototypeOf(containers[0]), Object.prototype);
  t.strictSame(Object.keys(containers[0] ?? {}).includes('__proto__'), false);
  t.strictSame(warnings, [
    'init_containers[0].__proto__: not a field of Container; the apiserver would drop it',
    'init_containers[0].livenessProbe.constructor: not a field of Probe; the apiserver would drop it',
  ]);
  t.strictSame(({} as Record<string, unknown>).polluted, undefined);
});

t.test('findings are listed up to the limit, the rest counted', async (t) => {
  const container: Record<string, Json> = { name: 'a', image: 'b' };
  for (let i = 0; i < 200; i++) container[`unknown${i}`] = i;
  const { warnings } = validateContainers([container]);
  t.strictSame(warnings.length, LIMITS.findingsListed + 1);
  t.strictSame(warnings[LIMITS.findingsListed], `... and ${200 - LIMITS.findingsListed} more warnings (limit findingsListed)`);
});

t.test('a container over a limit gets only the limit', async (t) => {
  const env = Array.from({ length: LIMITS.envPerSidecar + 1 }, () => ({ name: '=' }));
  t.strictSame(validateContainers([{ name: 'a', image: 'b', env }]).errors, [
    `init_containers[0].env: ${LIMITS.envPerSidecar + 1} entries; this webhook accepts at most ${LIMITS.envPerSidecar} per sidecar (limit envPerSidecar)`,
  ]);
});
