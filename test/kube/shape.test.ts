// Reading a container as kube-apiserver's decoder reads it: each JSON type against each schema
// type, null as Go reads it, unknown fields at every depth, and keys that must not reach a copy.
import t from 'tap';
import type { Json } from '../../src/json.js';
import { keySegment, shapeContainer } from '../../src/kube/shape.js';

const P = 'c';
const shaped = (fields: Record<string, Json>) => shapeContainer({ name: 'a', image: 'b', ...fields }, P);

t.test('scalars: accepted, or refused with the type and what was given (never the value)', async (t) => {
  const rows: [string, Record<string, Json>, string[]][] = [
    ['string', { workingDir: '/w' }, []],
    ['string given a number', { workingDir: 5 }, ['c.workingDir: must be a string, got a number']],
    ['bool', { tty: true }, []],
    ['bool given a string', { tty: 'true' }, ['c.tty: must be true or false, got a string']],
    ['int32', { ports: [{ containerPort: 80 }] }, []],
    ['int32 given a fraction', { ports: [{ containerPort: 80.5 }] }, ['c.ports[0].containerPort: must be a whole number from -2147483648 to 2147483647 (int32), got a fraction']],
    ['int32 out of range', { ports: [{ containerPort: -2147483649 }] }, ['c.ports[0].containerPort: must be a whole number from -2147483648 to 2147483647 (int32), got a number out of range']],
    ['int32 given Infinity', { ports: [{ containerPort: Infinity }] }, ['c.ports[0].containerPort: must be a whole number from -2147483648 to 2147483647 (int32), got a number too large for JSON']],
    ['int64', { securityContext: { runAsUser: 9007199254740991 } }, []],
    ['int64 beyond 2^53', { securityContext: { runAsUser: 9007199254740992 } }, ['c.securityContext.runAsUser: must be a whole number from -9007199254740991 to 9007199254740991 (int64, as far as JSON numbers are exact), got a number out of range']],
    ['IntOrString number', { livenessProbe: { tcpSocket: { port: 80 } } }, []],
    ['IntOrString name', { livenessProbe: { tcpSocket: { port: 'http' } } }, []],
    ['IntOrString given a bool', { livenessProbe: { tcpSocket: { port: false } } }, ['c.livenessProbe.tcpSocket.port: must be a port number or a port name, got a boolean']],
    ['Quantity string or number', { resources: { limits: { cpu: '1', memory: 2 } } }, []],
    ['Quantity given a list', { resources: { limits: { cpu: [] } } }, ['c.resources.limits.cpu: must be a quantity: a string such as "500m" or "512Mi", or a number, got a list']],
    ['object given a string', { lifecycle: 'x' }, ['c.lifecycle: must be an object (Lifecycle), got a string']],
    ['list given an object', { args: {} }, ['c.args: must be a list, got an object']],
    ['map given a list', { resources: { requests: [] } }, ['c.resources.requests: must be an object (a map of names to values), got a list']],
  ];
  for (const [what, fields, errors] of rows) t.strictSame(shaped(fields).errors, errors, what);
});

t.test('null: absent as a field; the zero value in a list or a map', async (t) => {
  const result = shaped({ workingDir: null, command: [null, 'x'], ports: [null], resources: { limits: { cpu: null } }, livenessProbe: null, securityContext: { runAsUser: null } });
  t.strictSame(result.errors, []);
  t.strictSame(result.container, { name: 'a', image: 'b', command: ['', 'x'], ports: [{}], resources: { limits: { cpu: '0' } }, securityContext: {} });
});

t.test('unknown fields: dropped at every depth with their path; case matters; not descended into', async (t) => {
  const result = shaped({ Image: 'x', livenessProbe: { httpGet: { port: 1, hots: 'h' } }, deep: { a: { b: [{ c: 1 }] } }, 'a.b/c': 1 });
  t.strictSame(result.container, { name: 'a', image: 'b', livenessProbe: { httpGet: { port: 1 } } });
  t.strictSame(result.warnings, [
    'c.Image: not a field of Container; the apiserver would drop it (did you mean "image"? names are case-sensitive)',
    'c.livenessProbe.httpGet.hots: not a field of HTTPGetAction; the apiserver would drop it',
    'c.deep: not a field of Container; the apiserver would drop it',
    'c["a.b/c"]: not a field of Container; the apiserver would drop it',
  ]);
});

t.test('prototype keys: dropped from objects, refused in maps, never copied', async (t) => {
  const input = JSON.parse('{"name":"a","image":"b","__proto__":{"x":1},"resources":{"limits":{"__proto__":"1","constructor":"1","prototype":"1","cpu":"1"}}}') as Json;
  const result = shapeContainer(input, P);
  t.strictSame(result.errors, [
    'c.resources.limits.__proto__: not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)',
    'c.resources.limits.constructor: not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)',
    'c.resources.limits.prototype: not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)',
  ]);
  t.strictSame(result.container, { name: 'a', image: 'b', resources: { limits: { cpu: '1' } } });
  const limits = (result.container?.resources as { limits: object }).limits;
  t.strictSame([Object.getPrototypeOf(limits) === Object.prototype, Object.hasOwn(limits, 'constructor'), Object.keys(limits)], [true, false, ['cpu']]);
});

t.test('not an object', async (t) => {
  t.strictSame([[], null, 'x', 3].map((v) => shapeContainer(v, P).errors), [
    ['c: must be a Kubernetes Container object, got a list'],
    ['c: must be a Kubernetes Container object, got null'],
    ['c: must be a Kubernetes Container object, got a string'],
    ['c: must be a Kubernetes Container object, got a number'],
  ]);
});

t.test('path segments: plain names plainly, anything else quoted and cut', async (t) => {
  t.strictSame(['cpu', 'hugepages-2Mi', 'nvidia.com/gpu', '', 'a"b', 'x'.repeat(64)].map(keySegment), ['.cpu', '.hugepages-2Mi', '["nvidia.com/gpu"]', '[""]', '["a\\"b"]', `["${'x'.repeat(63)}..."]`]);
});

t.test('depth is the schema\'s, whatever the input nests', async (t) => {
  let deep: Json = 1;
  for (let i = 0; i < 100_000; i++) deep = { x: deep };
  const result = shaped({ livenessProbe: { exec: deep as never }, unknown: deep });
  t.strictSame(result.warnings, ['c.livenessProbe.exec.x: not a field of ExecAction; the apiserver would drop it', 'c.unknown: not a field of Container; the apiserver would drop it']);
});
