import t from 'tap';
import fc from 'fast-check';
import { canonicalText } from '../../src/kube/canonical.js';
import { withApiserverDefaults } from '../../src/kube/defaults.js';
import type { Json, JsonObject } from '../../src/json.js';

t.test('zero values of non-pointer fields are absent; pointer zeros are kept; quantities by stored value', async (t) => {
  t.strictSame(canonicalText({ name: 'a', workingDir: '', stdin: false, command: [], resources: {} }), '{"name":"a"}');
  t.strictSame(canonicalText({ name: 'a', securityContext: { runAsUser: 0, privileged: false } }), '{"name":"a","securityContext":{"privileged":false,"runAsUser":0}}');
  t.strictSame(canonicalText({ resources: { limits: { cpu: '0.5', memory: '1Gi' } } }), canonicalText({ resources: { limits: { memory: '1024Mi', cpu: '500m' } } }));
  t.strictSame(canonicalText({ resources: { limits: { cpu: '1.0000000001' } } }), canonicalText({ resources: { limits: { cpu: '1001m' } } }));
  t.strictSame(canonicalText({ comand: ['x'], name: 'a' }), '{"name":"a"}', 'unknown fields do not count');
  t.strictSame(canonicalText({ env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } }] }), '{"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}}]}');
});

t.test('defaults applied on the way equal defaults applied to a copy first', async (t) => {
  const containers: JsonObject[] = [
    { name: 'a', image: 'ubuntu' },
    { name: 'b', image: 'x:1', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 1 } }, startupProbe: { grpc: { port: 2 } } },
    { name: 'c', resources: { limits: { cpu: '1' }, requests: { memory: '1Gi' } }, env: [{ name: 'E', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
    { name: 'd', lifecycle: { preStop: { httpGet: { port: 'http' } } }, env: [{ name: 'F', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } } }] },
  ];
  for (const hostNetwork of [false, true]) {
    for (const c of containers) t.strictSame(canonicalText(c, 'Container', { hostNetwork }), canonicalText(withApiserverDefaults(c, hostNetwork)), `${c.name}, hostNetwork ${hostNetwork}`);
  }
  const anything: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;
  const field = fc.constantFrom('name', 'image', 'ports', 'env', 'resources', 'livenessProbe', 'lifecycle', 'imagePullPolicy', 'terminationMessagePath', 'securityContext');
  const container = fc.dictionary(field, fc.oneof(anything, fc.constantFrom<Json>([{ containerPort: 8 }], { limits: { cpu: 1 } }, { httpGet: { port: 1, path: '' } }, [{ name: 'x', valueFrom: { fieldRef: {} } }])), { maxKeys: 6 });
  const result = fc.check(
    fc.property(container, fc.boolean(), (c, hostNetwork) => canonicalText(c as JsonObject, 'Container', { hostNetwork }) === canonicalText(withApiserverDefaults(c as JsonObject, hostNetwork))),
    { numRuns: 3000 },
  );
  t.strictSame(result.failed ? result.counterexample : null, null, 'for 3000 generated containers');
});
