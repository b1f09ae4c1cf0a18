// Which Event each kind of admission records on the StatefulSet, and when none.
import t from 'tap';
import { NOTE_MAX, plannedEvent, SKIP_CODES_WITH_EVENT, type PlannedEvent } from '../../src/events/planned-event.js';
import { fixedContext } from '../../src/cluster/context.js';
import { DEFAULT_CONFIG } from '../../src/config/config.js';
import type { JsonObject } from '../../src/json.js';
import { decisionFor, forbidding, metadata, OWNER, POD, type Case } from './decisions.js';

const regarding = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'feldera', name: OWNER.name, uid: OWNER.uid };
type Expected = Pick<PlannedEvent, 'reason' | 'type' | 'action'> & { noteIncludes: string[] };

const rows: Array<[string, Case, Expected | null]> = [
  ['injected', {}, { reason: 'SidecarsInjected', type: 'Normal', action: 'Inject', noteIncludes: [POD, 'example, ingest-sidecar'] }],
  [
    'denied by allowInitContainers false',
    { config: forbidding },
    { reason: 'SidecarInjectionDenied', type: 'Warning', action: 'Deny', noteIncludes: [POD, 'pipeline.allowInitContainers: false'] },
  ],
  [
    'denied by a policy',
    { config: { ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, maxSidecars: { max: 1, action: 'enforce' } } } },
    { reason: 'SidecarInjectionDenied', type: 'Warning', action: 'Deny', noteIncludes: ['policy.maxSidecars'] },
  ],
  [
    'opted out with sidecars declared',
    { request: (_r, pod) => ((metadata(pod).labels as JsonObject)['sidecar.feldera.com/inject'] = 'false') },
    { reason: 'SidecarInjectionSkipped', type: 'Warning', action: 'Skip', noteIncludes: ['admitted without sidecars', 'the 2 init_containers declared'] },
  ],
  [
    'opted out without sidecars declared: nothing lost, no event',
    {
      request: (_r, pod) => {
        const annotations = metadata(pod).annotations as JsonObject;
        annotations['sidecar.feldera.com/inject'] = 'false';
        annotations['feldera.com/runtime-config'] = '{"init_containers": []}';
      },
    },
    null,
  ],
  [
    "Feldera's ConfigMap missing: admitted without sidecars, never silently",
    {
      config: { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, configSource: 'configMap' } },
      request: (_r, pod) => delete (metadata(pod).annotations as JsonObject)['feldera.com/runtime-config'],
      context: fixedContext(new Map(), new Map()),
    },
    { reason: 'SidecarInjectionSkipped', type: 'Warning', action: 'Skip', noteIncludes: [POD, 'admitted without sidecars', OWNER.name] },
  ],
  ['dry run: never an event', { request: (r) => (r.dryRun = true) }, null],
  ['denied dry run: never an event', { config: forbidding, request: (r) => (r.dryRun = true) }, null],
  ['a pod without owner', { request: (_r, pod) => delete metadata(pod).ownerReferences }, null],
  [
    'owned by a ReplicaSet',
    { request: (_r, pod) => (metadata(pod).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u', controller: true }]) },
    null,
  ],
  [
    'a StatefulSet reference that is not the controller',
    { request: (_r, pod) => (metadata(pod).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: 'u', controller: false }]) },
    null,
  ],
  ['not a pipeline pod', { request: (_r, pod) => delete (metadata(pod).annotations as JsonObject)['feldera.com/runtime-config'] }, null],
];

for (const [what, c, expected] of rows) {
  t.test(what, async (t) => {
    const { decision, pod } = decisionFor(c);
    const event = plannedEvent(decision, pod);
    if (expected === null) {
      t.strictSame(event, null);
      return;
    }
    t.strictSame(event === null ? null : { reason: event.reason, type: event.type, action: event.action }, {
      reason: expected.reason,
      type: expected.type,
      action: expected.action,
    });
    t.strictSame(event?.regarding, regarding, 'regarding: the StatefulSet from the controller ownerReference');
    t.strictSame(event?.reportingInstance, POD, 'reportingInstance: the pod');
    for (const part of expected.noteIncludes) t.ok(event?.note.includes(part), `note mentions ${part}`);
    t.ok((event?.note.length ?? 0) <= NOTE_MAX, 'note within the API limit');
  });
}

t.test('the note of a long denial is cut to the API limit', async (t) => {
  const many = Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, image: `docker.io/other/tool-${i}:latest` }));
  const { decision, pod } = decisionFor({
    config: { ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, allowedImages: { patterns: ['registry.example.com/*'], action: 'enforce' } } },
    request: (_r, p) => ((metadata(p).annotations as JsonObject)['feldera.com/runtime-config'] = JSON.stringify({ init_containers: many })),
  });
  t.strictSame(decision.code, 'POLICY_VIOLATION');
  const event = plannedEvent(decision, pod);
  t.strictSame(event?.note.length, NOTE_MAX);
  t.ok(event?.note.endsWith('...'), 'cut visibly');
});

t.test('the skip codes that post an event', async (t) => {
  t.strictSame([...SKIP_CODES_WITH_EVENT], ['OPTED_OUT', 'CONFIG_MAP_MISSING']);
});
