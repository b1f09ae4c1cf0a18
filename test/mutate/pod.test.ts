// Every branch of placing sidecars into a pod (src/mutate/pod.ts), one row each.
import t from 'tap';
import { injectSidecars, type InjectionResult } from '../../src/mutate/pod.js';
import { readClaims, renderStatus, sidecarHash, SERVICE_ACCOUNT_MOUNT_PATH } from '../../src/mutate/status.js';
import { withApiserverDefaults } from '../../src/kube/defaults.js';
import type { JsonObject } from '../../src/json.js';

const STATUS = 'sidecar.feldera.com/status';
const token = { name: 'kube-api-access-abcde', readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
const declared: JsonObject = { name: 'side', image: 'ubuntu:24.04', restartPolicy: 'Always', resources: { limits: { cpu: '0.5' } } };
const rendered: JsonObject = { ...declared, resources: { limits: { cpu: '0.5', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } }, env: [{ name: 'FELDERA_PIPELINE_URL', value: 'http://127.0.0.1:8080' }] };
const renderedOld: JsonObject = { ...rendered, image: 'ubuntu:23.10' };
/** As Feldera's runner renders the declared container, after kube-apiserver's defaults. */
const upstream: JsonObject = { ...withApiserverDefaults(declared), resources: { limits: { cpu: '500m' }, requests: { cpu: '500m' } }, volumeMounts: [token] };
const hash = (c: JsonObject): string => sidecarHash(c, false);

function pod(initContainers: JsonObject[], status?: string, containers: JsonObject[] = [{ name: 'pipeline', image: 'feldera' }]): JsonObject {
  return {
    metadata: { name: 'pipeline-x-0', annotations: status === undefined ? {} : { [STATUS]: status } },
    spec: { containers, initContainers, volumes: [{ name: 'kube-api-access-abcde' }] },
  };
}

interface Row {
  what: string;
  pod: JsonObject;
  sidecars?: { declared: JsonObject; rendered: JsonObject }[];
  /** Names of the init containers afterwards, or the first error's start. */
  expect: { initContainers: string[]; added: string[]; updated: string[]; removed: string[]; warning: string | null } | { error: string };
}

const one = [{ declared, rendered }];
const rows: Row[] = [
  { what: 'absent: appended', pod: pod([]), expect: { initContainers: ['side'], added: ['side'], updated: [], removed: [], warning: null } },
  { what: 'absent but claimed: appended again, with a warning', pod: pod([], renderStatus([{ name: 'side', hash: hash(rendered) }])), expect: { initContainers: ['side'], added: ['side'], updated: [], removed: [], warning: 'listed in sidecar.feldera.com/status but missing' } },
  { what: 'after the pod\'s own init containers', pod: pod([{ name: 'own', image: 'x' }]), expect: { initContainers: ['own', 'side'], added: ['side'], updated: [], removed: [], warning: null } },
  { what: 'a regular container of that name: collision', pod: pod([], undefined, [{ name: 'side', image: 'x' }]), expect: { error: 'init_containers[0].name: "side" collides with spec.containers[0]' } },
  { what: 'ours and current: untouched', pod: pod([rendered], renderStatus([{ name: 'side', hash: hash(rendered) }])), expect: { initContainers: ['side'], added: [], updated: [], removed: [], warning: null } },
  { what: 'ours and current, as the apiserver stores it (defaults, token mount): untouched', pod: pod([{ ...withApiserverDefaults(rendered), volumeMounts: [token] }], renderStatus([{ name: 'side', hash: hash(rendered) }])), expect: { initContainers: ['side'], added: [], updated: [], removed: [], warning: null } },
  { what: 'exactly the rendering, unclaimed (a copied template): untouched', pod: pod([rendered]), expect: { initContainers: ['side'], added: [], updated: [], removed: [], warning: null } },
  { what: 'claimed, the runtime_config changed since: re-rendered', pod: pod([renderedOld], renderStatus([{ name: 'side', hash: hash(renderedOld) }])), expect: { initContainers: ['side'], added: [], updated: ['side'], removed: [], warning: 'runtime_config or the platform defaults changed' } },
  { what: 'claimed, edited after injection: re-rendered', pod: pod([{ ...rendered, command: ['evil'] }], renderStatus([{ name: 'side', hash: hash(rendered) }])), expect: { initContainers: ['side'], added: [], updated: ['side'], removed: [], warning: 'changed after injection' } },
  { what: 'claimed by a version 1 status, different: re-rendered', pod: pod([renderedOld], JSON.stringify({ version: 1, sidecars: ['side'], hash: 'sha256:x' })), expect: { initContainers: ['side'], added: [], updated: ['side'], removed: [], warning: 'changed after injection' } },
  { what: 'unclaimed, the declared spec rendered upstream: completed in place', pod: pod([upstream]), expect: { initContainers: ['side'], added: [], updated: ['side'], removed: [], warning: 'rendered upstream' } },
  {
    what: 'unclaimed, rendered upstream without the restartPolicy the declaration also lacks: completed',
    pod: pod([(({ restartPolicy: _, ...rest }) => rest)(upstream)]),
    sidecars: [{ declared: (({ restartPolicy: _, ...rest }) => rest)(declared), rendered }],
    expect: { initContainers: ['side'], added: [], updated: ['side'], removed: [], warning: 'rendered upstream' },
  },
  { what: 'unclaimed, another spec under the name: collision naming both', pod: pod([{ ...upstream, image: 'other:1' }]), expect: { error: 'init_containers[0].name: "side" collides with spec.initContainers[0] of the pod, which has a different spec' } },
  { what: 'unclaimed, the declared spec plus one more field: collision', pod: pod([{ ...upstream, workingDir: '/tmp' }]), expect: { error: 'init_containers[0].name: "side" collides with spec.initContainers[0]' } },
  {
    what: 'claimed, no longer declared, untouched: removed',
    pod: pod([rendered, { ...rendered, name: 'retired' }], renderStatus([{ name: 'side', hash: hash(rendered) }, { name: 'retired', hash: hash({ ...rendered, name: 'retired' }) }])),
    expect: { initContainers: ['side'], added: [], updated: [], removed: ['retired'], warning: 'no longer declared' },
  },
  {
    what: 'claimed, no longer declared, changed since: refused',
    pod: pod([rendered, { ...rendered, name: 'retired', image: 'x:2' }], renderStatus([{ name: 'side', hash: hash(rendered) }, { name: 'retired', hash: hash({ ...rendered, name: 'retired' }) }])),
    expect: { error: 'spec.initContainers[1] "retired": listed in sidecar.feldera.com/status' },
  },
  {
    what: 'claimed by a version 1 status, no longer declared: refused (nothing proves it is untouched)',
    pod: pod([rendered, { ...rendered, name: 'retired' }], JSON.stringify({ version: 1, sidecars: ['side', 'retired'] })),
    expect: { error: 'spec.initContainers[1] "retired"' },
  },
  { what: 'claimed, no longer declared, already gone: the status forgets it', pod: pod([rendered], renderStatus([{ name: 'side', hash: hash(rendered) }, { name: 'retired', hash: 'sha256:0' }])), expect: { initContainers: ['side'], added: [], updated: [], removed: [], warning: null } },
  {
    what: 'a mount of a volume the pod lacks: refused',
    pod: pod([]),
    sidecars: [{ declared, rendered: { ...rendered, volumeMounts: [{ name: 'nope', mountPath: '/x' }] } }],
    expect: { error: 'init_containers[0].volumeMounts[0].name: volume "nope" does not exist' },
  },
];

function summary(result: InjectionResult): Row['expect'] {
  if (!result.ok) return { error: result.errors[0] ?? '' };
  const spec = result.injection.pod.spec as JsonObject;
  return {
    initContainers: (spec.initContainers as JsonObject[]).map((c) => String(c.name)),
    added: result.injection.placements.filter((p) => p.how === 'added').map((p) => p.name),
    updated: result.injection.placements.filter((p) => p.how === 're-rendered' || p.how === 'completed').map((p) => p.name),
    removed: result.injection.placements.filter((p) => p.how === 'removed').map((p) => p.name),
    warning: result.injection.warnings[0] ?? null,
  };
}

for (const row of rows) {
  t.test(row.what, async (t) => {
    const before = JSON.stringify(row.pod);
    const result = injectSidecars(row.pod, row.sidecars ?? one);
    t.strictSame(JSON.stringify(row.pod), before, 'the received pod is untouched');
    const got = summary(result);
    if ('error' in row.expect) {
      t.strictSame('error' in got, true, 'refused');
      if ('error' in got) t.strictSame(got.error.startsWith(row.expect.error), true, `error: ${got.error}`);
      return;
    }
    const { warning, ...rest } = row.expect;
    t.strictSame('error' in got ? got : { ...got, warning: undefined }, { ...rest, warning: undefined });
    if (!('error' in got)) {
      t.strictSame(warning === null ? got.warning : got.warning?.includes(warning), warning === null ? null : true, `warning: ${got.warning}`);
    }
    if (result.ok) {
      // The status describes exactly what the pod now holds, and every declared sidecar is there as rendered.
      const status = ((result.injection.pod.metadata as JsonObject).annotations as JsonObject)[STATUS];
      const claims = readClaims(typeof status === 'string' ? status : undefined);
      const inPod = new Map(((result.injection.pod.spec as JsonObject).initContainers as JsonObject[]).map((c) => [String(c.name), c]));
      for (const [name, claimed] of claims) t.strictSame(inPod.has(name) && claimed === hash(inPod.get(name) as JsonObject), true, `status claims ${name} as it is in the pod`);
      t.strictSame([...claims.keys()], (row.sidecars ?? one).map((s) => String(s.rendered.name)), 'the status lists the declared sidecars');
      const again = injectSidecars(result.injection.pod, row.sidecars ?? one);
      t.strictSame(again.ok && again.injection.pod === result.injection.pod, true, 'a second pass changes nothing');
    }
  });
}
