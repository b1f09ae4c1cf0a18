// decide() with a cluster context: the namespace's policy annotation and Feldera's ConfigMap as
// the runtime config's source, each case a plain context value (no cluster, no I/O).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReview, type AdmissionReview } from '../../src/admission/review.js';
import { fixedContext, NO_CLUSTER, type ClusterContext, type NamespacePolicyLookup } from '../../src/cluster/context.js';
import { liveContext } from '../../src/cli/live-context.js';
import { namespacePolicyOf } from '../../src/cluster/namespace-lookup.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { decide, REASON_CODES } from '../../src/decide.js';
import { explainDecision } from '../../src/explain/trail.js';
import type { JsonObject } from '../../src/json.js';
import { NAMESPACE_POLICY_ANNOTATION } from '../../src/policy/namespace-policy.js';

const raw = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'admission-review-pipeline-pod.json'), 'utf8')) as JsonObject;
const ANNOTATION = 'feldera.com/runtime-config';
const ID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';
const NS = 'feldera';
const pod = (review: JsonObject): JsonObject => (review.request as JsonObject).object as JsonObject;
const annotations = (review: JsonObject): JsonObject => (pod(review).metadata as JsonObject).annotations as JsonObject;
const runtimeText = String(annotations(raw)[ANNOTATION]);

function review(change: (r: JsonObject) => void = () => {}): AdmissionReview {
  const copy = structuredClone(raw);
  change(copy);
  const parsed = parseReview(copy);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}
const withoutAnnotation = (): AdmissionReview => review((r) => delete annotations(r)[ANNOTATION]);
const nsContext = (annotation: string | undefined): ClusterContext =>
  liveContext(NS, { metadata: { name: NS, ...(annotation === undefined ? {} : { annotations: { [NAMESPACE_POLICY_ANNOTATION]: annotation } }) } }, []);
const withSource = (configSource: Config['pipeline']['configSource']): Config => ({ ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, configSource } });
const cmContext = (data: Record<string, string> | null): ClusterContext =>
  fixedContext(new Map(), new Map(data === null ? [] : [[`${NS}/pipeline-${ID}`, data]]));

t.test('namespace policy: each case through decide()', async (t) => {
  type Row = [string, string | undefined, string, boolean, RegExp | null, RegExp | null];
  const rows: Row[] = [
    ['no annotation: platform policy', undefined, 'INJECTED', true, null, null],
    ['forbids sidecars', '{"allowInitContainers": false}', 'INIT_CONTAINERS_DISALLOWED', false, /namespace "feldera" forbids them \(annotation sidecar\.feldera\.com\/policy: allowInitContainers false\)/, null],
    ['narrows images', 'allowedImages: ["registry.example.com/*"]', 'POLICY_VIOLATION', false, /"ubuntu:24\.04" is not allowed by namespace "feldera" annotation sidecar\.feldera\.com\/policy: allowedImages/, null],
    ['fewer sidecars', '{"maxSidecars": 1}', 'POLICY_VIOLATION', false, /2 sidecars declared, the namespace's policy allows at most 1/, null],
    ['smaller caps', '{"resourceCaps": {"limits": {"memory": "256Mi"}}}', 'POLICY_VIOLATION', false, /limits\.memory: above the namespace's cap 256Mi/, null],
    ['stricter Pod Security', '{"podSecurity": "restricted"}', 'POLICY_VIOLATION', false, /Pod Security "restricted", namespace "feldera" annotation/, null],
    ['malformed: fails closed naming the annotation', '{"maxSidecars": ', 'NAMESPACE_POLICY_INVALID', false, /namespace annotation sidecar\.feldera\.com\/policy is invalid: it is not valid JSON .*refused until it is fixed/s, null],
    ['a typo fails closed', 'maxSidecar: 1', 'NAMESPACE_POLICY_INVALID', false, /"maxSidecar": unknown field/, null],
    ['loosening: ignored, admitted with a warning', '{"maxSidecars": 10, "podSecurity": "privileged"}', 'INJECTED', true, null, /podSecurity privileged is looser than the platform's baseline; the platform's applies/],
  ];
  for (const [name, annotation, code, allowed, message, warning] of rows) {
    const decision = decide(review(), DEFAULT_CONFIG, nsContext(annotation));
    const response = decision.review.response;
    t.strictSame([decision.code, response.allowed], [code, allowed], `${name}: code and answer`);
    if (message !== null) t.match(response.status?.message ?? '', message, `${name}: message`);
    if (warning !== null) t.match((response.warnings ?? []).join('\n'), warning, `${name}: warning`);
    if (message === null && warning === null) t.strictSame(response.warnings ?? [], [], `${name}: no warnings`);
  }
});

t.test('namespace policy not yet known: fails closed; a pod without sidecars is not concerned', async (t) => {
  const unknown: ClusterContext = { namespacePolicy: () => ({ state: 'unknown' }), configMap: () => ({ state: 'absent' }) };
  const decision = decide(review(), DEFAULT_CONFIG, unknown);
  t.strictSame([decision.code, decision.review.response.allowed], ['NAMESPACE_POLICY_UNKNOWN', false]);
  const plain = decide(withoutAnnotation(), DEFAULT_CONFIG, nsContext('{"maxSidecars": '));
  t.strictSame([plain.code, plain.review.response.allowed], ['NO_RUNTIME_CONFIG', true], 'a malformed annotation only refuses pods that declare sidecars');
});

t.test('config source: annotation, configMap, both', async (t) => {
  type Row = [string, Config['pipeline']['configSource'], AdmissionReview, ClusterContext, string, number, RegExp | null];
  const found = cmContext({ 'config.yaml': runtimeText });
  const yaml = cmContext({ 'config.yaml': 'workers: 8\ninit_containers:\n  - name: only\n    image: registry.example.com/only:1\n' });
  const otherInAnnotation = review((r) => (annotations(r)[ANNOTATION] = JSON.stringify({ init_containers: [{ name: 'from-annotation', image: 'x:1' }] })));
  const rows: Row[] = [
    ['annotation (default) ignores ConfigMaps', 'annotation', withoutAnnotation(), found, 'NO_RUNTIME_CONFIG', 0, null],
    ['configMap: JSON PipelineConfig', 'configMap', withoutAnnotation(), found, 'INJECTED', 2, null],
    ['configMap: YAML PipelineConfig', 'configMap', withoutAnnotation(), yaml, 'INJECTED', 1, null],
    ['configMap ignores the annotation', 'configMap', otherInAnnotation, yaml, 'INJECTED', 1, null],
    ['configMap missing: admitted, warned', 'configMap', withoutAnnotation(), cmContext(null), 'CONFIG_MAP_MISSING', 0, /ConfigMap "pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c" key "config\.yaml": it does not exist; the pod is admitted WITHOUT the pipeline's sidecars/],
    ['configMap without the key', 'configMap', withoutAnnotation(), cmContext({ 'other.yaml': 'x: 1' }), 'CONFIG_MAP_MISSING', 0, /it has no key "config\.yaml"/],
    ['configMap unreadable', 'configMap', withoutAnnotation(), cmContext({ 'config.yaml': 'a: [' }), 'CONFIG_MAP_MISSING', 0, /is unreadable: it is not valid YAML/],
    ['offline (NO_CLUSTER)', 'configMap', withoutAnnotation(), NO_CLUSTER, 'CONFIG_MAP_MISSING', 0, /no cluster to read it from/],
    ['both: the annotation wins when present', 'both', otherInAnnotation, yaml, 'INJECTED', 1, null],
    ['both: the ConfigMap without the annotation', 'both', withoutAnnotation(), found, 'INJECTED', 2, null],
  ];
  for (const [name, source, input, context, code, injected, warning] of rows) {
    const decision = decide(input, withSource(source), context);
    t.strictSame([decision.code, decision.injected.length, decision.review.response.allowed], [code, injected, true], `${name}: code, sidecars, allowed`);
    if (warning !== null) t.match((decision.review.response.warnings ?? []).join('\n'), warning, `${name}: warning`);
  }
  const both = decide(otherInAnnotation, withSource('both'), yaml);
  t.strictSame(both.injected, ['from-annotation'], 'both: the sidecar comes from the annotation');
  t.ok(REASON_CODES.includes('CONFIG_MAP_MISSING'), 'CONFIG_MAP_MISSING is a metric reason');
  const invalid = decide(withoutAnnotation(), withSource('configMap'), cmContext({ 'config.yaml': '{"init_containers": {"name": "x"}}' }));
  t.strictSame([invalid.code, invalid.review.response.status?.message], ['RUNTIME_CONFIG_INVALID', `ConfigMap "pipeline-${ID}" key "config.yaml": init_containers must be an array of Kubernetes Container objects, got an object`], 'a readable but wrong PipelineConfig is denied like the annotation');
});

t.test('pipeline.configMap.namespaces: a namespace outside the list is never read, the warning names the setting', async (t) => {
  const found = cmContext({ 'config.yaml': runtimeText });
  const listing = (namespaces: string[]): Config => ({ ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, configSource: 'configMap', configMap: { ...DEFAULT_CONFIG.pipeline.configMap, namespaces } } });
  const listed = decide(withoutAnnotation(), listing(['other', NS]), found);
  t.strictSame([listed.code, listed.injected.length], ['INJECTED', 2], 'listed: read');
  let looked = 0;
  const counting: ClusterContext = { namespacePolicy: () => ({ state: 'none' }), configMap: (...args) => (looked++, found.configMap(...args)) };
  const unlisted = decide(withoutAnnotation(), listing(['other']), counting);
  t.strictSame([unlisted.code, unlisted.injected.length, unlisted.review.response.allowed, looked], ['CONFIG_MAP_MISSING', 0, true, 0], 'unlisted: admitted without sidecars, the cache not asked');
  t.strictSame(unlisted.review.response.warnings, [
    `ConfigMap "pipeline-${ID}" key "config.yaml": it cannot be read: namespace "${NS}" is not in pipeline.configMap.namespaces, the namespaces whose ConfigMaps the injector reads; the pod is admitted WITHOUT the pipeline's sidecars (pipeline.configSource: configMap). Add "${NS}" to pipeline.configMap.namespaces (the chart then grants a Role there), or set the runtime config on the pod`,
  ]);
});

t.test('a not-a-pipeline pod under configMap is skipped, no lookup', async (t) => {
  const other = review((r) => {
    delete annotations(r)[ANNOTATION];
    const meta = pod(r).metadata as JsonObject;
    meta.name = 'web-0';
    delete (meta.labels as JsonObject)['feldera.com/pipeline-id'];
  });
  let looked = 0;
  const counting: ClusterContext = { namespacePolicy: () => ({ state: 'none' }), configMap: () => (looked++, { state: 'absent' }) };
  const decision = decide(other, withSource('configMap'), counting);
  t.strictSame([decision.code, looked], ['NO_RUNTIME_CONFIG', 0]);
});

t.test('the context explain --live builds: namespace lookups and ConfigMaps', async (t) => {
  const cases: Array<[string, Record<string, string> | undefined, NamespacePolicyLookup]> = [
    ['no annotations', undefined, { state: 'none' }],
    ['other annotations', { a: 'b' }, { state: 'none' }],
    ['a policy', { [NAMESPACE_POLICY_ANNOTATION]: 'maxSidecars: 1' }, { state: 'policy', policy: { maxSidecars: 1 } }],
  ];
  for (const [name, annotations, expected] of cases) {
    t.strictSame(namespacePolicyOf({ metadata: { name: NS, ...(annotations === undefined ? {} : { annotations }) } }), expected, name);
    t.strictSame(liveContext(NS, { metadata: { name: NS, ...(annotations === undefined ? {} : { annotations }) } }, []).namespacePolicy(NS), expected, `${name}: via liveContext`);
  }
  const invalid = namespacePolicyOf({ metadata: { annotations: { [NAMESPACE_POLICY_ANNOTATION]: '[]' } } });
  t.strictSame(invalid.state, 'invalid');
  const context = liveContext(NS, null, [{ namespace: NS, name: 'pipeline-x', data: { 'config.yaml': 'a: 1' } }]);
  t.strictSame(context.namespacePolicy(NS), { state: 'none' }, 'no namespace read: no policy');
  t.strictSame(context.configMap(NS, 'pipeline-x'), { state: 'found', data: { 'config.yaml': 'a: 1' } });
  t.strictSame(context.configMap(NS, 'pipeline-y'), { state: 'absent' });
  t.strictSame(context.configMap('other', 'pipeline-x'), { state: 'absent' }, 'by namespace too');
});

t.test('explain shows where the config came from and the namespace policy applied', async (t) => {
  const decision = decide(withoutAnnotation(), withSource('configMap'), cmContext({ 'config.yaml': runtimeText }));
  const e = explainDecision(decision, pod(raw), withSource('configMap'));
  t.match(e.steps.find((s) => s.step === 'source')?.text, `PipelineConfig read from ConfigMap "pipeline-${ID}" key "config.yaml"`);
  const tightened = decide(review(), DEFAULT_CONFIG, nsContext('{"maxSidecars": 3, "podSecurity": "privileged"}'));
  const step = explainDecision(tightened, pod(raw), DEFAULT_CONFIG).steps.find((s) => s.step === 'namespace');
  t.strictSame(step?.items, ['tightened: maxSidecars 3', "ignored: podSecurity privileged is looser than the platform's baseline; the platform's applies"]);
});
