// Generated inputs for the property tests: AdmissionReviews that are mutations of the real one a
// StatefulSet controller sends (test/fixtures/admission-review-pipeline-pod.json), carrying
// generated runtime configs. Mutations rather than random JSON, so that most inputs get deep
// into decide(): a random object is refused at the first step and proves little.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, JsonObject } from '../../src/json.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
export const BASE_REVIEW = JSON.parse(readFileSync(join(fixtures, 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
const BASE_RUNTIME = JSON.parse(readFileSync(join(fixtures, 'runtime-config.json'), 'utf8')) as JsonObject;
export const ANNOTATION = 'feldera.com/runtime-config';
const UUID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';
/** Stands for an env value or a config that is a secret: no message may ever contain it. */
export const SECRET = 's3cr3t-zx81';

/** Raw JSON tokens a JavaScript value cannot carry (1e400), put into the annotation text by replace. */
const RAW = { '"@raw:1e400"': '1e400', '"@raw:-1e400"': '-1e400', '"@raw:big"': '123456789012345678901234567890' } as const;

const oddKey = fc.constantFrom('a/b', 'x~y', '~1', '/~0', '__proto__', 'constructor', 'prototype', 'ключ', '🙂', 'sidecar.feldera.com/status', '', ' ');
const oddString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '\u0000', 'é', '🙂', '\u2028', 'a'.repeat(300), '$(FELDERA_PIPELINE_URL)'),
);

const quantity: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('250m', '1', '0.5', '512Mi', '1Gi', '2e3', '1e400', '0x10', 'lots', '', '-1', '1.5Ki', '.', '+', 'e3', ' 1 ', '1e1001', '9Ei', '1m', '1.0000000001'),
  fc.constantFrom(0.5, 1000, 1e3, 2, -1, 0, 1e21, 0.1),
  fc.constantFrom('@raw:1e400', '@raw:-1e400', '@raw:big'),
  fc.constantFrom(null, true, {}, []),
);

const resourceName = fc.constantFrom('cpu', 'memory', 'ephemeral-storage', 'nvidia.com/gpu', 'hugepages-2Mi', 'example.com/foo', 'bogus', '__proto__', 'constructor', 'requests.cpu');
const resourceList = fc.dictionary(resourceName, quantity, { maxKeys: 4 });

/** Nested junk for unknown fields: objects n levels deep. */
const deep = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 9, max: 60 }) }).map((n) => {
  let value: Json = 'leaf';
  for (let i = 0; i < n; i++) value = { d: value };
  return value;
});

const envEntry: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ name: fc.constantFrom('A', 'TABLE', '1ST_VAR', 'a.b-c', 'has=equals', '', 'FELDERA_PIPELINE_URL', 'FELDERA_PIPELINE_ID'), value: fc.oneof(oddString, fc.constant(SECRET as Json), fc.constant(5 as Json)) }, { requiredKeys: ['name'] }),
  fc.record({ name: fc.constant('F'), valueFrom: fc.constantFrom<Json>({ fieldRef: { fieldPath: 'metadata.name' } }, { secretKeyRef: { name: 's', key: 'k' } }, { fieldRef: { fieldPath: 'spec.bogus' } }, {}, 'x') }),
  fc.constantFrom<Json>('not an object', null, 3),
);

/** Fields a valid sidecar may carry, each with valid values only. */
const validFields = fc.record(
  {
    restartPolicy: fc.constant<Json>('Always'),
    command: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    args: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
    env: fc.oneof(
      { weight: 30, arbitrary: fc.uniqueArray(fc.record({ name: fc.constantFrom('A', 'TABLE', '1ST_VAR', 'a.b-c', 'FELDERA_PIPELINE_URL'), value: fc.constantFrom('x', SECRET, '$(FELDERA_PIPELINE_URL)/ingress') }), { maxLength: 4, selector: (e) => e.name }) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 2100 }).map((n) => Array.from({ length: n }, (_, i) => ({ name: `V${i}`, value: 'x' }) as Json)) },
    ),
    resources: fc.constantFrom<Json>(
      { requests: { cpu: '100m' } },
      { limits: { memory: '128Mi' } },
      { requests: { cpu: 0.5, memory: '1e8' }, limits: { cpu: '1', memory: '1Gi' } },
      { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } },
      { limits: { cpu: '2' } },
      {},
    ),
    ports: fc.constantFrom<Json>([{ containerPort: 9000 }], [{ containerPort: 80, name: 'http', protocol: 'TCP' }]),
    volumeMounts: fc.constantFrom<Json>([{ name: 'storage', mountPath: '/data' }], [{ name: 'config', mountPath: '/etc/x', readOnly: true }]),
    readinessProbe: fc.constantFrom<Json>({ httpGet: { port: 8080 } }, { tcpSocket: { port: 9000 } }),
    securityContext: fc.constantFrom<Json>({ runAsNonRoot: true }, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
    imagePullPolicy: fc.constantFrom<Json>('Always', 'IfNotPresent', 'Never'),
  },
  { requiredKeys: [] },
);

/** One thing wrong, odd or hostile in a container. */
const mutation: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(fc.constant('name'), fc.constantFrom<Json>('pipeline', 'UPPER', 'a'.repeat(64), '', '__proto__', 5)),
  fc.tuple(fc.constant('image'), fc.oneof(fc.constantFrom<Json>('', ' ubuntu', 'ubu ntu', 'Ubuntu', `registry.example.com/${'a/'.repeat(1000)}x`, 3), oddString)),
  fc.tuple(fc.constant('restartPolicy'), fc.constantFrom<Json>('Never', 'OnFailure', null, 1)),
  fc.tuple(fc.constant('command'), fc.constantFrom<Json>('sh', [1, 2])),
  fc.tuple(fc.constant('env'), fc.array(envEntry, { maxLength: 4 })),
  fc.tuple(fc.constant('resources'), fc.oneof(fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }), fc.constantFrom<Json>(null, 'big', []))),
  fc.tuple(fc.constant('ports'), fc.array(fc.oneof(fc.record({ containerPort: fc.constantFrom<Json>(80, 0, 65536, '80', 8080.5), name: fc.constantFrom('http', 'HTTP', 'a-very-long-port-name') }, { requiredKeys: ['containerPort'] }), fc.constant<Json>('80')), { maxLength: 3 })),
  fc.tuple(fc.constant('volumeMounts'), fc.constantFrom<Json>([{ name: 'missing', mountPath: '/x' }], [{ name: 'storage', mountPath: '' }], 'x')),
  fc.tuple(fc.constant('readinessProbe'), fc.constantFrom<Json>({}, { exec: { command: ['true'] }, httpGet: { port: 1 } }, 'probe', { httpGet: { port: 8080, hots: 'typo' } })),
  fc.tuple(fc.constant('securityContext'), fc.constantFrom<Json>({ privileged: true }, { runAsUser: 0 }, { capabilities: { add: ['SYS_ADMIN'] } }, null)),
  fc.tuple(fc.constant('imagePullPolicy'), fc.constant<Json>('Sometimes')),
  fc.tuple(fc.constant('comand'), fc.constant<Json>(['typo'])),
  fc.tuple(fc.constant('futureField'), deep),
  fc.tuple(oddKey, fc.oneof(oddString, deep)),
);

const container: fc.Arbitrary<Json> = fc
  .record({
    name: fc.constantFrom('example', 'ingest', 'side-1', 'side-2', 'metrics'),
    image: fc.constantFrom('ubuntu:24.04', 'registry.example.com/a/b/c:stable', 'registry.example.com/ingest:1', 'busybox'),
    fields: validFields,
    mutations: fc.oneof({ weight: 3, arbitrary: fc.constant([] as [string, Json][]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }) }),
  })
  .map(({ name, image, fields, mutations }) => {
    const out: JsonObject = { name, image, ...(fields as JsonObject) };
    for (const [key, value] of mutations) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    return out;
  });

const examples: Json[] = (BASE_RUNTIME.init_containers as Json[]) ?? [];

const initContainers: fc.Arbitrary<Json> = fc.oneof(
  { weight: 12, arbitrary: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...examples) }, { weight: 3, arbitrary: container }), { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, [], {}, 'x', [1], [null]) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 34 }).map((n) => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, image: 'x:1' }) as Json)) },
);

export interface RuntimeConfigCase {
  text: string;
  declared: Json;
}

/** The annotation's text: a RuntimeConfig, a PipelineConfig (flattened), or something broken. */
export const runtimeConfigText: fc.Arbitrary<string> = fc
  .record({
    shape: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('runtime', 'pipeline') }, { weight: 1, arbitrary: fc.constantFrom('broken', 'deep') }),
    hosts: fc.constantFrom<Json | undefined>(undefined, 1, 2, 3, '2', 1.5, -1),
    init: initContainers,
  })
  .map(({ shape, hosts, init }) => {
    if (shape === 'broken') return `{"workers": 8, "init_containers": [{"name": "x", "env": [{"name": "T", "value": ${SECRET}}]}]}`;
    if (shape === 'deep') return `{"init_containers": [${'['.repeat(5000)}${']'.repeat(5000)}]}`;
    // (the weights above keep 'broken' and 'deep' to one input in twenty)
    const base: JsonObject = shape === 'pipeline' ? { name: 'p', inputs: {}, outputs: {}, ...BASE_RUNTIME } : { ...BASE_RUNTIME };
    const runtime: JsonObject = { ...base, init_containers: init };
    if (hosts === undefined) delete runtime.hosts;
    else runtime.hosts = hosts;
    let text = JSON.stringify(runtime);
    for (const [token, raw] of Object.entries(RAW)) text = text.split(token).join(raw);
    return text;
  });

/** undefined 29 times in 30. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 29, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** A pipeline pod's review: the real one, with generated runtime config, names, labels and leftovers. */
export const review: fc.Arbitrary<JsonObject> = fc
  .record({
    runtime: runtimeConfigText,
    podName: fc.oneof({ weight: 6, arbitrary: fc.constant(`pipeline-${UUID}-0`) }, { weight: 1, arbitrary: fc.constantFrom(`pipeline-${UUID}-1`, `pipeline-${UUID}-7`, 'other-pod', '', `pipeline-${UUID}-x`) }),
    indexLabel: fc.oneof({ weight: 6, arbitrary: fc.constant<Json | undefined>('0') }, { weight: 1, arbitrary: fc.constantFrom<Json | undefined>(undefined, '1', 'x', 2) }),
    optOut: fc.oneof({ weight: 18, arbitrary: fc.constant<'no'>('no') }, { weight: 1, arbitrary: fc.constantFrom<'label' | 'annotation'>('label', 'annotation') }),
    oddLabels: fc.dictionary(oddKey, oddString, { maxKeys: 3 }),
    oddAnnotations: fc.dictionary(oddKey, oddString, { maxKeys: 3 }),
    existingInit: fc.constantFrom<Json[]>([], [], [], [], [{ name: 'own-init', image: 'busybox' }], [{ name: 'example', image: 'ubuntu:24.04', restartPolicy: 'Always', command: ['bash', '-c', "echo 'Hello, world!'; sleep infinity"], resources: { requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '512Mi', cpu: '500m' } } }], [{ name: 'example', image: 'other' }], ['junk' as Json]),
    status: fc.constantFrom<string | undefined>(undefined, undefined, undefined, '{"version":1,"sidecars":["example"],"hash":"sha256:x"}', '{"version":2,"sidecars":[{"name":"example","hash":"sha256:0"}]}', 'garbage', '{"sidecars":"x"}'),
    // Big inputs are rare: they matter for time per KB, not for reaching every branch.
    deepPodField: rarely(fc.integer({ min: 1, max: 1000 })),
    hugeEnv: rarely(fc.integer({ min: 1, max: 3000 })),
    dryRun: fc.boolean(),
    operation: fc.oneof({ weight: 18, arbitrary: fc.constant('CREATE') }, { weight: 1, arbitrary: fc.constantFrom('UPDATE', 'DELETE', 'CONNECT') }),
    hostNetwork: fc.boolean(),
  })
  .map((g) => {
    const review = structuredClone(BASE_REVIEW) as JsonObject;
    const request = review.request as JsonObject;
    const pod = request.object as JsonObject;
    const meta = pod.metadata as JsonObject;
    const labels = { ...(meta.labels as JsonObject) };
    const annotations: JsonObject = {};
    for (const [k, v] of Object.entries(g.oddLabels)) Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
    for (const [k, v] of Object.entries(g.oddAnnotations)) Object.defineProperty(annotations, k, { value: v, enumerable: true, writable: true, configurable: true });
    annotations[ANNOTATION] = g.runtime;
    if (g.status !== undefined) annotations['sidecar.feldera.com/status'] = g.status;
    if (g.optOut === 'annotation') annotations['sidecar.feldera.com/inject'] = 'false';
    if (g.optOut === 'label') labels['sidecar.feldera.com/inject'] = 'false';
    if (g.indexLabel === undefined) delete labels['apps.kubernetes.io/pod-index'];
    else labels['apps.kubernetes.io/pod-index'] = g.indexLabel;
    meta.labels = labels;
    meta.annotations = annotations;
    meta.name = g.podName;
    request.name = g.podName;
    request.dryRun = g.dryRun;
    request.operation = g.operation;
    const spec = pod.spec as JsonObject;
    spec.initContainers = g.existingInit;
    if (g.existingInit.length === 0) delete spec.initContainers;
    if (g.hostNetwork) spec.hostNetwork = true;
    if (g.deepPodField !== undefined) {
      let value: Json = 'leaf';
      for (let i = 0; i < g.deepPodField; i++) value = [value];
      spec.futureDeepField = value;
    }
    if (g.hugeEnv !== undefined) {
      const main = (spec.containers as JsonObject[])[0] as JsonObject;
      main.env = Array.from({ length: g.hugeEnv }, (_, i) => ({ name: `E${i}`, value: 'v' }));
    }
    return review;
  });
