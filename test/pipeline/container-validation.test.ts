import t from 'tap';
import { validateContainers } from '../../src/pipeline/container-validation.js';
import type { Json } from '../../src/json.js';

// [what, declared containers, expected error substrings (empty = valid)]
const cases: [string, Json[], string[]][] = [
  ['the documented example', [{ name: 'example', image: 'ubuntu:24.04', restartPolicy: 'Always', resources: { requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '512Mi', cpu: '500m' } }, command: ['bash', '-c', 'sleep infinity'] }], []],
  ['minimal', [{ name: 'a', image: 'b' }], []],
  ['quantities as JSON numbers', [{ name: 'a', image: 'b', resources: { limits: { cpu: 2 } } }], []],
  ['extended resource', [{ name: 'a', image: 'b', resources: { limits: { 'nvidia.com/gpu': '1' } } }], []],
  ['not an object', [null], ['init_containers[0]: must be a Kubernetes Container object, got null']],
  ['array instead of object', [[]], ['init_containers[0]: must be a Kubernetes Container object, got an array']],
  ['missing name', [{ image: 'b' }], ['init_containers[0].name: required']],
  ['upper-case name', [{ name: 'Sidecar', image: 'b' }], ['init_containers[0].name: "Sidecar" must be a DNS-1123 label']],
  ['name too long', [{ name: 'a'.repeat(64), image: 'b' }], ['init_containers[0].name:']],
  ['name not a string', [{ name: 7, image: 'b' }], ['init_containers[0].name: 7 must be a DNS-1123 label']],
  ['duplicate names', [{ name: 'a', image: 'b' }, { name: 'a', image: 'c' }], ['init_containers[1].name: "a" is already the name of init_containers[0]']],
  ['missing image', [{ name: 'a' }], ['init_containers[0].image: required']],
  ['empty image', [{ name: 'a', image: '' }], ['init_containers[0].image: required']],
  ['image with spaces', [{ name: 'a', image: 'ubuntu 24.04' }], ['init_containers[0].image: "ubuntu 24.04" must not contain whitespace']],
  ['restartPolicy OnFailure', [{ name: 'a', image: 'b', restartPolicy: 'OnFailure' }], ['init_containers[0].restartPolicy: must be "Always" or absent']],
  ['bad quantity', [{ name: 'a', image: 'b' }, { name: 'c', image: 'd', resources: { limits: { cpu: 'lots' } } }], ['init_containers[1].resources.limits.cpu: "lots" is not a valid quantity']],
  ['negative quantity', [{ name: 'a', image: 'b', resources: { requests: { memory: '-1Gi' } } }], ['init_containers[0].resources.requests.memory: "-1Gi" must not be negative']],
  ['request above limit', [{ name: 'a', image: 'b', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }], ['init_containers[0].resources.requests.cpu: "2" must be less than or equal to init_containers[0].resources.limits.cpu "1"']],
  ['unknown resources field', [{ name: 'a', image: 'b', resources: { limit: { cpu: '1' } } }], ['init_containers[0].resources.limit: unknown field']],
  ['bad resource name', [{ name: 'a', image: 'b', resources: { limits: { 'CPU!': '1' } } }], ['"CPU!" is not a resource name']],
  ['command not strings', [{ name: 'a', image: 'b', command: 'sleep 1' }], ['init_containers[0].command: must be an array of strings']],
  ['env value not a string, value never echoed', [{ name: 'a', image: 'b', env: [{ name: 'TOKEN', value: 12345 }] }], ['init_containers[0].env[0].value: must be a string']],
  ['env without name', [{ name: 'a', image: 'b', env: [{ value: 'x' }] }], ['init_containers[0].env[0].name:']],
  ['port out of range', [{ name: 'a', image: 'b', ports: [{ containerPort: 70000 }] }], ['init_containers[0].ports[0].containerPort: must be an integer between 1 and 65535']],
  ['bad pull policy', [{ name: 'a', image: 'b', imagePullPolicy: 'Sometimes' }], ['init_containers[0].imagePullPolicy: must be one of Always, IfNotPresent, Never']],
  ['securityContext not an object', [{ name: 'a', image: 'b', securityContext: true }], ['init_containers[0].securityContext: must be an object']],
];

for (const [what, declared, expected] of cases) {
  t.test(what, async (t) => {
    const { errors } = validateContainers(declared);
    if (expected.length === 0) t.same(errors, [], 'valid');
    else for (const fragment of expected) t.ok(errors.some((e) => e.includes(fragment)), `an error contains: ${fragment}\n got: ${errors.join(' | ')}`);
    t.notOk(errors.join(' ').includes('12345'), 'env values are never quoted back');
  });
}

t.test('unknown container fields are warnings, not errors', async (t) => {
  const { errors, warnings } = validateContainers([{ name: 'a', image: 'b', comand: ['x'] }]);
  t.same(errors, []);
  t.same(warnings, ['init_containers[0].comand: not a Kubernetes Container field; the apiserver would drop it (a typo?)']);
});

t.test('every mistake is reported at once', async (t) => {
  const { errors } = validateContainers([{ name: 'X' }, 3]);
  t.equal(errors.length, 3);
});
