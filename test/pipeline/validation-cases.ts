// Every rule of src/pipeline/container-validation.ts (and the type checks of src/kube/shape.ts),
// each both ways, as a table the unit test runs through our validation and the e2e test
// (test/e2e/validation-table.test.ts) creates as pods through a real kube-apiserver 1.34 with no
// webhook: the apiserver's verdict must agree with ours on every row, or the row says why not.
//
// A container is JSON *text*, as it stands in the runtime_config annotation, so odd numbers
// (1e400, 80.0) reach the apiserver as written. Our side reads it with JSON.parse, as the webhook
// does. The pod each row becomes is CASE_POD below: the container rendered as we inject it
// (restartPolicy Always added last), after the sidecars of `before`, beside one main container.
import type { ValidationContext } from '../../src/pipeline/container-validation.js';

export interface ValidationCase {
  name: string;
  /** The declared container, as JSON text. */
  container: string;
  /** Sidecars declared before it (JSON texts): rules across sidecars. */
  before?: readonly string[];
  expect: 'valid' | 'invalid';
  /** Path of our first error (invalid rows). */
  path?: string;
  /** A fragment of one of our warnings (valid or invalid rows). */
  warning?: string;
  /**
   * When the apiserver's verdict differs from ours, or cannot be had, and why: a deliberate
   * difference (a limit, a product rule, what JSON.parse makes of a number) or a pod-dependent
   * rule that src/mutate checks. Rows without it must agree.
   */
  apiserver?: { verdict: 'valid' | 'invalid'; why: string } | { skip: string };
}

/** The facts of CASE_POD, as decide() would pass them (validationContextOf). */
export const CASE_CONTEXT: ValidationContext = { terminationGracePeriodSeconds: 30, podClaimNames: ['gpu'], hostUsers: true, podRestartPolicy: 'Always' };

/** The pod every row is created in (its initContainers are the row's sidecars). */
export const CASE_POD_SPEC = {
  containers: [{ name: 'main', image: 'busybox:1.36' }],
  volumes: [
    { name: 'data', emptyDir: {} },
    { name: 'config', configMap: { name: 'pipeline-config' } },
    { name: 'block', persistentVolumeClaim: { claimName: 'block-claim' } },
  ],
  resourceClaims: [{ name: 'gpu', resourceClaimName: 'shared-gpu' }],
} as const;

const P = 'init_containers[0]';
const at = (path: string): string => `${P}.${path}`;

/** A container with a valid name and image and these more fields (JSON text, without braces). */
function c(fields = ''): string {
  return `{"name":"side","image":"busybox:1.36"${fields === '' ? '' : `,${fields}`}}`;
}

const valid = (name: string, container: string, more: Partial<ValidationCase> = {}): ValidationCase => ({ name, container, expect: 'valid', ...more });
const invalid = (name: string, container: string, path: string | undefined, more: Partial<ValidationCase> = {}): ValidationCase => ({ name, container, expect: 'invalid', path, ...more });

const JSON_NUMBER = 'JSON.parse reads the number as a plain value, and the patch writes it that way (the apiserver sees the text as written)';
const LIMIT = (name: string): string => `limit ${name} (src/pipeline/limits.ts): the apiserver has no such limit`;
const PRODUCT_RESTART = 'product rule: a sidecar runs for the pipeline\'s whole life; the injected container always carries restartPolicy Always, so the apiserver never sees this value';

const probe = (kind: string, body: string): string => c(`"${kind}":${body}`);
const http = (more = ''): string => `{"httpGet":{"port":8080${more}}}`;

export const CASES: readonly ValidationCase[] = [
  // Whole containers and the decoder's types (src/kube/shape.ts).
  valid('minimal', c()),
  valid('the documented example', '{"name":"example","image":"ubuntu:24.04","restartPolicy":"Always","resources":{"requests":{"memory":"256Mi","cpu":"250m"},"limits":{"memory":"512Mi","cpu":"500m"}},"command":["bash","-c","sleep infinity"]}'),
  invalid('not an object: a string', '"sidecar"', P),
  invalid('not an object: a list', '[]', P),
  invalid('not an object: null', 'null', P),
  invalid('not JSON: a hex number', c('"ports":[{"containerPort":0x10}]'), undefined),
  valid('unknown field dropped with a warning', c('"comand":["x"]'), { warning: `${P}.comand: not a field of Container; the apiserver would drop it` }),
  valid('unknown nested field dropped with a warning', c('"livenessProbe":{"httpGet":{"port":8080,"hots":"x"}}'), { warning: `${P}.livenessProbe.httpGet.hots: not a field of HTTPGetAction` }),
  invalid('field names are case-sensitive: Image is not image', '{"name":"side","Image":"busybox"}', at('image'), { warning: 'did you mean "image"?' }),
  valid('a __proto__ key is an unknown field', c('"__proto__":{"privileged":true}'), { warning: `${P}.__proto__: not a field of Container` }),
  valid('a constructor key is an unknown field', c('"constructor":"x"'), { warning: `${P}.constructor: not a field of Container` }),
  valid('unicode keys are unknown fields', c('"名前":"x"'), { warning: `${P}["名前"]: not a field of Container` }),
  valid('an unknown field is not descended into', c('"x":{"y":{"z":[1,{"w":null}]}}'), { warning: `${P}.x: not a field of Container` }),
  valid('null is absent', c('"livenessProbe":null,"ports":null,"env":null,"resources":null,"securityContext":null')),
  invalid('null image is absent: required', '{"name":"side","image":null}', at('image')),
  valid('null in a list of strings is ""', c('"command":[null]')),
  invalid('null in a list of objects is an empty object', c('"env":[null]'), at('env[0].name')),
  invalid('a string where a list is expected', c('"command":"sleep 1"'), at('command')),
  invalid('a number in a list of strings', c('"args":[1]'), at('args[0]')),
  invalid('a list where an object is expected', c('"livenessProbe":[]'), at('livenessProbe')),
  invalid('a string where a bool is expected', c('"stdin":"true"'), at('stdin')),
  valid('a bool', c('"tty":true,"stdin":false')),
  invalid('a number where a string is expected', c('"workingDir":5'), at('workingDir')),
  invalid('a string where an int32 is expected', c('"ports":[{"containerPort":"8080"}]'), at('ports[0].containerPort')),
  invalid('a fraction where an int32 is expected', c('"ports":[{"containerPort":80.5}]'), at('ports[0].containerPort')),
  invalid('an int32 out of range', c('"ports":[{"containerPort":2147483648}]'), at('ports[0].containerPort')),
  valid('80.0 where an int32 is expected (read as 80)', c('"ports":[{"containerPort":80.0}]'), { apiserver: { verdict: 'invalid', why: `${JSON_NUMBER}: Go's decoder refuses 80.0 for an int32` } }),
  valid('1e3 where an int32 is expected (read as 1000)', c('"ports":[{"containerPort":1e3}]'), { apiserver: { verdict: 'invalid', why: `${JSON_NUMBER}: Go's decoder refuses 1e3 for an int32` } }),
  invalid('a string where an int64 is expected', c('"securityContext":{"runAsUser":"1000"}'), at('securityContext.runAsUser')),
  invalid('an int64 beyond what a JSON number holds exactly', c('"securityContext":{"runAsUser":9007199254740993}'), at('securityContext.runAsUser')),
  invalid('a list where a map is expected', c('"resources":{"limits":[]}'), at('resources.limits')),
  invalid('a string where resources are expected', c('"resources":"big"'), at('resources')),
  invalid('a bool where a securityContext is expected', c('"securityContext":true'), at('securityContext')),

  // Name.
  invalid('name missing', '{"image":"busybox:1.36"}', at('name')),
  invalid('name empty', '{"name":"","image":"busybox:1.36"}', at('name')),
  invalid('name upper-case', '{"name":"Side","image":"busybox:1.36"}', at('name')),
  invalid('name with a dot', '{"name":"a.b","image":"busybox:1.36"}', at('name')),
  invalid('name starting with a dash', '{"name":"-a","image":"busybox:1.36"}', at('name')),
  valid('name of 63 characters', `{"name":"${'a'.repeat(63)}","image":"busybox:1.36"}`),
  invalid('name of 64 characters', `{"name":"${'a'.repeat(64)}","image":"busybox:1.36"}`, at('name')),
  invalid('name not a string', '{"name":7,"image":"busybox:1.36"}', at('name')),
  invalid('name declared twice', c(), 'init_containers[1].name', { before: [c()] }),
  valid('two sidecars, two names', '{"name":"other","image":"busybox:1.36"}', { before: [c()] }),

  // Image, pull policy, termination message policy, restart policy.
  invalid('image missing', '{"name":"side"}', at('image')),
  invalid('image empty', '{"name":"side","image":""}', at('image')),
  invalid('image with leading whitespace', '{"name":"side","image":" busybox"}', at('image')),
  invalid('image with a trailing tab', '{"name":"side","image":"busybox\\t"}', at('image')),
  valid('image with inner whitespace (a warning)', '{"name":"side","image":"busy box"}', { warning: `${P}.image: contains whitespace` }),
  invalid('image longer than the limit', `{"name":"side","image":"registry.example.com/${'a'.repeat(4080)}"}`, at('image'), { apiserver: { verdict: 'valid', why: LIMIT('imageLength') } }),
  valid('imagePullPolicy Always', c('"imagePullPolicy":"Always"')),
  valid('imagePullPolicy empty (defaulted)', c('"imagePullPolicy":""')),
  invalid('imagePullPolicy unknown', c('"imagePullPolicy":"Sometimes"'), at('imagePullPolicy')),
  valid('terminationMessagePolicy FallbackToLogsOnError', c('"terminationMessagePolicy":"FallbackToLogsOnError"')),
  invalid('terminationMessagePolicy unknown', c('"terminationMessagePolicy":"Log"'), at('terminationMessagePolicy')),
  valid('restartPolicy Always', c('"restartPolicy":"Always"')),
  invalid('restartPolicy OnFailure', c('"restartPolicy":"OnFailure"'), at('restartPolicy'), { apiserver: { verdict: 'valid', why: PRODUCT_RESTART } }),
  invalid('restartPolicy empty', c('"restartPolicy":""'), at('restartPolicy'), { apiserver: { verdict: 'valid', why: PRODUCT_RESTART } }),
  valid('restartPolicyRules dropped (a warning)', c('"restartPolicyRules":[{"action":"Restart","exitCodes":{"operator":"In","values":[42]}}]'), { warning: `${P}.restartPolicyRules: dropped by kube-apiserver 1.34` }),

  // Ports.
  valid('a port', c('"ports":[{"containerPort":8080}]')),
  invalid('containerPort missing', c('"ports":[{"name":"http"}]'), at('ports[0].containerPort')),
  invalid('containerPort 0', c('"ports":[{"containerPort":0}]'), at('ports[0].containerPort')),
  invalid('containerPort 65536', c('"ports":[{"containerPort":65536}]'), at('ports[0].containerPort')),
  invalid('containerPort negative', c('"ports":[{"containerPort":-1}]'), at('ports[0].containerPort')),
  valid('containerPort 65535', c('"ports":[{"containerPort":65535}]')),
  valid('hostPort 8080', c('"ports":[{"containerPort":8080,"hostPort":8080}]')),
  invalid('hostPort 70000', c('"ports":[{"containerPort":8080,"hostPort":70000}]'), at('ports[0].hostPort')),
  valid('protocol UDP', c('"ports":[{"containerPort":53,"protocol":"UDP"}]')),
  valid('protocol SCTP', c('"ports":[{"containerPort":53,"protocol":"SCTP"}]')),
  invalid('protocol lower-case', c('"ports":[{"containerPort":53,"protocol":"tcp"}]'), at('ports[0].protocol')),
  valid('port name', c('"ports":[{"containerPort":8080,"name":"http"}]')),
  invalid('port name upper-case', c('"ports":[{"containerPort":8080,"name":"HTTP"}]'), at('ports[0].name')),
  invalid('port name longer than 15', c('"ports":[{"containerPort":8080,"name":"a-long-port-name"}]'), at('ports[0].name')),
  invalid('port name without a letter', c('"ports":[{"containerPort":8080,"name":"80"}]'), at('ports[0].name')),
  invalid('port name with --', c('"ports":[{"containerPort":8080,"name":"a--b"}]'), at('ports[0].name')),
  invalid('port name starting with -', c('"ports":[{"containerPort":8080,"name":"-ab"}]'), at('ports[0].name')),
  invalid('port names twice', c('"ports":[{"containerPort":8080,"name":"http"},{"containerPort":8081,"name":"http"}]'), at('ports[1].name')),
  invalid('hostPort twice on one protocol', c('"ports":[{"containerPort":8080,"hostPort":9000},{"containerPort":8081,"hostPort":9000}]'), at('ports[1].hostPort')),
  valid('hostPort twice on two protocols', c('"ports":[{"containerPort":8080,"hostPort":9000},{"containerPort":8081,"hostPort":9000,"protocol":"UDP"}]')),
  valid('hostIP with hostPort', c('"ports":[{"containerPort":8080,"hostPort":9000,"hostIP":"127.0.0.1"}]')),
  valid('hostIP that is not an IP (a warning)', c('"ports":[{"containerPort":8080,"hostPort":9000,"hostIP":"not-an-ip"}]'), { warning: `${P}.ports[0].hostIP: not an IP address` }),
  valid('hostIP without hostPort (a warning)', c('"ports":[{"containerPort":8080,"hostIP":"::1"}]'), { warning: `${P}.ports[0].hostIP: set without hostPort` }),
  invalid('ports not a list', c('"ports":{"containerPort":8080}'), at('ports')),
  invalid('more ports than the limit', c(`"ports":[${Array.from({ length: 129 }, (_, i) => `{"containerPort":${1000 + i}}`).join(',')}]`), at('ports'), { apiserver: { verdict: 'valid', why: LIMIT('portsPerSidecar') } }),

  // Env.
  valid('env value', c('"env":[{"name":"A","value":"x"}]')),
  valid('env name starting with a digit (relaxed names)', c('"env":[{"name":"1ST_VAR","value":"x"}]')),
  valid('env name with a space and a dot', c('"env":[{"name":"my var.x","value":"x"}]')),
  invalid('env name with =', c('"env":[{"name":"A=B","value":"x"}]'), at('env[0].name')),
  invalid('env name empty', c('"env":[{"name":"","value":"x"}]'), at('env[0].name')),
  invalid('env name missing', c('"env":[{"value":"x"}]'), at('env[0].name')),
  invalid('env name not ASCII', c('"env":[{"name":"é","value":"x"}]'), at('env[0].name')),
  invalid('env name with DEL', c('"env":[{"name":"A\\u007f","value":"x"}]'), at('env[0].name')),
  invalid('env value a number (the value never echoed)', c('"env":[{"name":"TOKEN","value":12345}]'), at('env[0].value')),
  valid('env value empty with valueFrom', c('"env":[{"name":"A","value":"","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]')),
  invalid('env value and valueFrom', c('"env":[{"name":"A","value":"x","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]'), at('env[0].valueFrom')),
  invalid('env valueFrom without a source', c('"env":[{"name":"A","valueFrom":{}}]'), at('env[0].valueFrom')),
  invalid('env valueFrom with two sources', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"},"secretKeyRef":{"name":"s","key":"k"}}}]'), at('env[0].valueFrom')),
  valid('env name twice (a warning)', c('"env":[{"name":"A","value":"x"},{"name":"A","value":"y"}]'), { warning: `${P}.env[1]: hides env[0]` }),
  valid('env name twice, extending the first', c('"env":[{"name":"A","value":"x"},{"name":"A","value":"$(A)y"}]')),
  invalid('more env entries than the limit', c(`"env":[${Array.from({ length: 2049 }, (_, i) => `{"name":"V${i}","value":"x"}`).join(',')}]`), at('env'), { apiserver: { verdict: 'valid', why: LIMIT('envPerSidecar') } }),
  invalid('env name longer than the limit', c(`"env":[{"name":"${'A'.repeat(1025)}","value":"x"}]`), at('env[0].name'), { apiserver: { verdict: 'valid', why: LIMIT('envNameLength') } }),
  valid('fieldRef metadata.name', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]')),
  valid('fieldRef status.podIPs', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"status.podIPs"}}}]')),
  valid('fieldRef spec.host (an old alias of spec.nodeName)', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"spec.host"}}}]')),
  valid("fieldRef metadata.labels['app']", c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'app\']"}}}]')),
  valid('fieldRef an annotation key, compared lower-case', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations[\'Example.com/Tier\']"}}}]')),
  invalid('fieldRef a label key that is not one', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'bad key\']"}}}]'), at('env[0].valueFrom.fieldRef.fieldPath')),
  invalid('fieldRef all labels (files only)', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels"}}}]'), at('env[0].valueFrom.fieldRef.fieldPath')),
  invalid('fieldRef status.phase', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"status.phase"}}}]'), at('env[0].valueFrom.fieldRef.fieldPath')),
  invalid('fieldRef a subscript on a field without one', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.uid[\'x\']"}}}]'), at('env[0].valueFrom.fieldRef.fieldPath')),
  invalid('fieldRef apiVersion v2', c('"env":[{"name":"A","valueFrom":{"fieldRef":{"apiVersion":"v2","fieldPath":"metadata.name"}}}]'), at('env[0].valueFrom.fieldRef.apiVersion')),
  invalid('fieldRef fieldPath missing', c('"env":[{"name":"A","valueFrom":{"fieldRef":{}}}]'), at('env[0].valueFrom.fieldRef.fieldPath')),
  valid('resourceFieldRef limits.memory', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory"}}}]')),
  valid('resourceFieldRef requests.hugepages-2Mi', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"requests.hugepages-2Mi"}}}]')),
  invalid('resourceFieldRef an extended resource', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.nvidia.com/gpu"}}}]'), at('env[0].valueFrom.resourceFieldRef.resource')),
  invalid('resourceFieldRef resource missing', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{}}}]'), at('env[0].valueFrom.resourceFieldRef.resource')),
  valid('divisor 1Mi for memory', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}}]')),
  valid('divisor 1k for memory', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1k"}}}]')),
  valid('divisor 1000 for memory (shown as 1k)', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":1000}}}]')),
  invalid('divisor 1024 for memory (not 1Ki as written)', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1024"}}}]'), at('env[0].valueFrom.resourceFieldRef.divisor')),
  invalid('divisor "1e3" for memory (shown as 1e3)', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1e3"}}}]'), at('env[0].valueFrom.resourceFieldRef.divisor')),
  valid('divisor 1e3 (a JSON number) for memory', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":1e3}}}]'), {
    apiserver: { verdict: 'invalid', why: `${JSON_NUMBER}: the apiserver reads the text 1e3 as an exponent quantity, shown as "1e3"` },
  }),
  invalid('divisor 1m for memory', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1m"}}}]'), at('env[0].valueFrom.resourceFieldRef.divisor')),
  valid('divisor 1m for cpu', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1m"}}}]')),
  valid('divisor 1000m for cpu (shown as 1)', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1000m"}}}]')),
  invalid('divisor 2 for cpu', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"2"}}}]'), at('env[0].valueFrom.resourceFieldRef.divisor')),
  valid('divisor 0 (unset)', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}}]')),
  invalid('divisor not a quantity', c('"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"lots"}}}]'), at('env[0].valueFrom.resourceFieldRef.divisor')),
  valid('configMapKeyRef', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"}}}]')),
  invalid('configMapKeyRef key missing', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm"}}}]'), at('env[0].valueFrom.configMapKeyRef.key')),
  invalid('configMapKeyRef key with a space', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":"a b"}}}]'), at('env[0].valueFrom.configMapKeyRef.key')),
  invalid('configMapKeyRef key ..', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":".."}}}]'), at('env[0].valueFrom.configMapKeyRef.key')),
  valid('configMapKeyRef key of 253 characters', c(`"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":"${'k'.repeat(253)}"}}}]`)),
  invalid('configMapKeyRef key of 254 characters', c(`"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":"${'k'.repeat(254)}"}}}]`), at('env[0].valueFrom.configMapKeyRef.key')),
  invalid('configMapKeyRef name missing', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"key":"k"}}}]'), at('env[0].valueFrom.configMapKeyRef.name')),
  invalid('configMapKeyRef name upper-case', c('"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"CM","key":"k"}}}]'), at('env[0].valueFrom.configMapKeyRef.name')),
  valid('secretKeyRef', c('"env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"db.credentials","key":"password","optional":true}}}]')),
  invalid('secretKeyRef key missing', c('"env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"db"}}}]'), at('env[0].valueFrom.secretKeyRef.key')),
  invalid('fileKeyRef only (dropped: no source left)', c('"env":[{"name":"A","valueFrom":{"fileKeyRef":{"volumeName":"data","path":"a.env","key":"A"}}}]'), at('env[0].valueFrom'), { warning: 'feature gate EnvFiles is off' }),

  // EnvFrom.
  valid('envFrom configMapRef', c('"envFrom":[{"configMapRef":{"name":"cm"}}]')),
  valid('envFrom secretRef with a prefix', c('"envFrom":[{"secretRef":{"name":"s"},"prefix":"1_"}]')),
  invalid('envFrom prefix with =', c('"envFrom":[{"secretRef":{"name":"s"},"prefix":"A="}]'), at('envFrom[0].prefix')),
  invalid('envFrom both sources', c('"envFrom":[{"configMapRef":{"name":"cm"},"secretRef":{"name":"s"}}]'), at('envFrom[0]')),
  invalid('envFrom no source', c('"envFrom":[{}]'), at('envFrom[0]')),
  invalid('envFrom name missing', c('"envFrom":[{"configMapRef":{}}]'), at('envFrom[0].configMapRef.name')),
  invalid('envFrom name upper-case', c('"envFrom":[{"configMapRef":{"name":"CM"}}]'), at('envFrom[0].configMapRef.name')),
  valid('envFrom name with a trailing dash (allowed for prefixes)', c('"envFrom":[{"configMapRef":{"name":"cm-"}}]')),
  invalid('more envFrom entries than the limit', c(`"envFrom":[${Array.from({ length: 65 }, () => '{"configMapRef":{"name":"cm"}}').join(',')}]`), at('envFrom'), { apiserver: { verdict: 'valid', why: LIMIT('envFromPerSidecar') } }),

  // Volume mounts and devices.
  valid('a volume mount', c('"volumeMounts":[{"name":"data","mountPath":"/data"}]')),
  invalid('mountPath missing', c('"volumeMounts":[{"name":"data"}]'), at('volumeMounts[0].mountPath')),
  invalid('mount name missing', c('"volumeMounts":[{"mountPath":"/data"}]'), at('volumeMounts[0].name')),
  valid('mount of a volume the pod does not have', c('"volumeMounts":[{"name":"nope","mountPath":"/nope"}]'), { apiserver: { verdict: 'invalid', why: 'pod-dependent: src/mutate checks mounts against the pod\'s volumes' } }),
  invalid('mountPath twice', c('"volumeMounts":[{"name":"data","mountPath":"/x"},{"name":"config","mountPath":"/x"}]'), at('volumeMounts[1].mountPath')),
  valid('one volume at two paths', c('"volumeMounts":[{"name":"data","mountPath":"/x"},{"name":"data","mountPath":"/y"}]')),
  valid('subPath', c('"volumeMounts":[{"name":"data","mountPath":"/data","subPath":"logs/app"}]')),
  invalid('subPath absolute', c('"volumeMounts":[{"name":"data","mountPath":"/data","subPath":"/logs"}]'), at('volumeMounts[0].subPath')),
  invalid('subPath with ..', c('"volumeMounts":[{"name":"data","mountPath":"/data","subPath":"a/../b"}]'), at('volumeMounts[0].subPath')),
  valid('subPathExpr', c('"volumeMounts":[{"name":"data","mountPath":"/data","subPathExpr":"$(POD_NAME)"}]')),
  invalid('subPathExpr with subPath', c('"volumeMounts":[{"name":"data","mountPath":"/data","subPath":"a","subPathExpr":"b"}]'), at('volumeMounts[0].subPathExpr')),
  valid('mountPropagation HostToContainer', c('"volumeMounts":[{"name":"data","mountPath":"/data","mountPropagation":"HostToContainer"}]')),
  invalid('mountPropagation unknown', c('"volumeMounts":[{"name":"data","mountPath":"/data","mountPropagation":"Sideways"}]'), at('volumeMounts[0].mountPropagation')),
  invalid('mountPropagation Bidirectional unprivileged', c('"volumeMounts":[{"name":"data","mountPath":"/data","mountPropagation":"Bidirectional"}]'), at('volumeMounts[0].mountPropagation')),
  valid('mountPropagation Bidirectional privileged', c('"volumeMounts":[{"name":"data","mountPath":"/data","mountPropagation":"Bidirectional"}],"securityContext":{"privileged":true}')),
  valid('recursiveReadOnly Enabled with readOnly', c('"volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true,"recursiveReadOnly":"Enabled"}]')),
  valid('recursiveReadOnly Disabled', c('"volumeMounts":[{"name":"data","mountPath":"/data","recursiveReadOnly":"Disabled"}]')),
  invalid('recursiveReadOnly IfPossible without readOnly', c('"volumeMounts":[{"name":"data","mountPath":"/data","recursiveReadOnly":"IfPossible"}]'), at('volumeMounts[0].recursiveReadOnly')),
  invalid('recursiveReadOnly Enabled with HostToContainer', c('"volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true,"recursiveReadOnly":"Enabled","mountPropagation":"HostToContainer"}]'), at('volumeMounts[0].recursiveReadOnly')),
  invalid('recursiveReadOnly unknown', c('"volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true,"recursiveReadOnly":"Always"}]'), at('volumeMounts[0].recursiveReadOnly')),
  invalid('more volumeMounts than the limit', c(`"volumeMounts":[${Array.from({ length: 129 }, (_, i) => `{"name":"data","mountPath":"/m${i}"}`).join(',')}]`), at('volumeMounts'), { apiserver: { verdict: 'valid', why: LIMIT('volumeMountsPerSidecar') } }),
  valid('a volume device', c('"volumeDevices":[{"name":"block","devicePath":"/dev/xvda"}]')),
  invalid('more volumeDevices than the limit', c(`"volumeDevices":[${Array.from({ length: 65 }, (_, i) => `{"name":"block","devicePath":"/dev/d${i}"}`).join(',')}]`), at('volumeDevices'), {
    apiserver: { verdict: 'invalid', why: `${LIMIT('volumeDevicesPerSidecar')}; this pod has one PersistentVolumeClaim volume, so the apiserver refuses 65 devices for their names` },
  }),
  invalid('devicePath missing', c('"volumeDevices":[{"name":"block"}]'), at('volumeDevices[0].devicePath')),
  invalid('devicePath with ..', c('"volumeDevices":[{"name":"block","devicePath":"/dev/../xvda"}]'), at('volumeDevices[0].devicePath')),
  invalid('device name twice', c('"volumeDevices":[{"name":"block","devicePath":"/dev/a"},{"name":"block","devicePath":"/dev/b"}]'), at('volumeDevices[1].name')),
  invalid('a device also mounted', c('"volumeMounts":[{"name":"block","mountPath":"/mnt"}],"volumeDevices":[{"name":"block","devicePath":"/dev/a"}]'), at('volumeMounts[0].name')),
  invalid('a device path that is a mount path', c('"volumeMounts":[{"name":"data","mountPath":"/dev/a"}],"volumeDevices":[{"name":"block","devicePath":"/dev/a"}]'), at('volumeMounts[0].mountPath')),

  // Resources: names.
  valid('cpu and memory', c('"resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"500m","memory":"512Mi"}}')),
  valid('ephemeral-storage', c('"resources":{"limits":{"ephemeral-storage":"1Gi"}}')),
  invalid('resource name upper-case', c('"resources":{"limits":{"CPU":"1"}}'), at('resources.limits.CPU')),
  invalid('resource name of the quota kind (pods)', c('"resources":{"limits":{"pods":"1"}}'), at('resources.limits.pods')),
  invalid('resource name requests.cpu', c('"resources":{"requests":{"requests.cpu":"1"}}'), at('resources.requests["requests.cpu"]')),
  invalid('resource name with an empty name part', c('"resources":{"limits":{"example.com/":"1"}}'), at('resources.limits["example.com/"]')),
  invalid('resource name with two slashes', c('"resources":{"limits":{"example.com/a/b":"1"}}'), at('resources.limits["example.com/a/b"]')),
  invalid('resource name with an upper-case domain', c('"resources":{"limits":{"Example.com/gpu":"1"}}'), at('resources.limits["Example.com/gpu"]')),
  valid('resource name in kubernetes.io (fractions allowed)', c('"resources":{"limits":{"example.kubernetes.io/thing":"0.5"}}')),
  invalid('resource name __proto__', c('"resources":{"limits":{"__proto__":"1"}}'), at('resources.limits.__proto__')),
  invalid('resource name constructor', c('"resources":{"limits":{"constructor":"1"}}'), at('resources.limits.constructor')),
  invalid('resource name prototype', c('"resources":{"requests":{"prototype":"1"}}'), at('resources.requests.prototype')),
  valid('resources field unknown: limit (dropped with a warning)', c('"resources":{"limit":{"cpu":"lots"}}'), { warning: `${P}.resources.limit: not a field of ResourceRequirements` }),

  // Resources: quantities.
  invalid('quantity not one', c('"resources":{"limits":{"cpu":"lots"}}'), at('resources.limits.cpu')),
  invalid('quantity negative', c('"resources":{"requests":{"memory":"-1Gi"}}'), at('resources.requests.memory')),
  valid('quantity 0', c('"resources":{"requests":{"cpu":"0"}}')),
  valid('quantity a JSON integer', c('"resources":{"limits":{"cpu":2}}')),
  valid('quantity a JSON fraction', c('"resources":{"limits":{"cpu":0.5}}')),
  valid('quantity "0.5"', c('"resources":{"limits":{"cpu":"0.5"}}')),
  valid('quantity "1e3"', c('"resources":{"limits":{"cpu":"1e3"}}')),
  valid('quantity 1e3 (a JSON number)', c('"resources":{"limits":{"cpu":1e3}}')),
  valid('quantity "1e400"', c('"resources":{"limits":{"cpu":"1e400"}}')),
  invalid('quantity 1e400 (a JSON number beyond a double)', c('"resources":{"limits":{"cpu":1e400}}'), at('resources.limits.cpu'), {
    apiserver: { verdict: 'valid', why: 'JSON.parse reads 1e400 as Infinity, which the patch could not carry; the apiserver parses the text. Write "1e400".' },
  }),
  valid('quantity "1e1000"', c('"resources":{"limits":{"cpu":"1e1000"}}')),
  invalid('quantity "1e1001" (an exponent beyond 1000)', c('"resources":{"limits":{"cpu":"1e1001"}}'), at('resources.limits.cpu'), {
    apiserver: { verdict: 'valid', why: 'src/kube/quantity.ts bounds exponents at +-1000 (MAX_EXPONENT): beyond, apimachinery builds numbers with that many digits' },
  }),
  invalid('quantity "1e2147483648"', c('"resources":{"limits":{"cpu":"1e2147483648"}}'), at('resources.limits.cpu'), {
    apiserver: { skip: 'kube-apiserver 1.34 never answers: it rounds a number with two billion digits (see MAX_EXPONENT in src/kube/quantity.ts)' },
  }),
  invalid('quantity "0x10"', c('"resources":{"limits":{"cpu":"0x10"}}'), at('resources.limits.cpu')),
  invalid('quantity 0x10 (not JSON)', c('"resources":{"limits":{"cpu":0x10}}'), undefined),
  invalid('quantity a bool', c('"resources":{"limits":{"cpu":true}}'), at('resources.limits.cpu')),
  invalid('quantity an object', c('"resources":{"limits":{"cpu":{}}}'), at('resources.limits.cpu')),
  valid('quantity null (zero)', c('"resources":{"limits":{"cpu":null}}')),
  valid('quantity with spaces around', c('"resources":{"limits":{"cpu":" 1 "}}')),
  valid('memory a fraction of a byte (a warning)', c('"resources":{"limits":{"memory":"0.5"}}'), { warning: `${P}.resources.limits.memory: not a whole number of bytes` }),
  valid('ephemeral-storage a fraction of a byte (a warning)', c('"resources":{"requests":{"ephemeral-storage":1.5}}'), { warning: `${P}.resources.requests.ephemeral-storage: not a whole number of bytes` }),

  // Resources: requests and limits.
  invalid('request above limit', c('"resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}'), at('resources.requests.cpu')),
  valid('request equal to limit in other units', c('"resources":{"requests":{"memory":"1Gi"},"limits":{"memory":"1024Mi"}}')),
  valid('request above limit by less than a milli (both round to 1001m)', c('"resources":{"requests":{"cpu":"1.0004"},"limits":{"cpu":"1.0001"}}')),
  invalid('request above limit by a milli', c('"resources":{"requests":{"cpu":"1.002"},"limits":{"cpu":"1.001"}}'), at('resources.requests.cpu')),
  valid('limit only (the request defaults to it)', c('"resources":{"limits":{"memory":"1Gi"}}')),
  valid('extended resource, limit only', c('"resources":{"limits":{"nvidia.com/gpu":"1"}}')),
  valid('extended resource, request equal to limit', c('"resources":{"requests":{"nvidia.com/gpu":1},"limits":{"nvidia.com/gpu":"1"}}')),
  invalid('extended resource, request only', c('"resources":{"requests":{"nvidia.com/gpu":"1"}}'), at('resources.limits["nvidia.com/gpu"]')),
  invalid('extended resource, request below limit', c('"resources":{"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"2"}}'), at('resources.requests["nvidia.com/gpu"]')),
  invalid('extended resource, a fraction', c('"resources":{"limits":{"nvidia.com/gpu":"0.5"}}'), at('resources.limits["nvidia.com/gpu"]')),
  valid('extended resource, 1000m is whole', c('"resources":{"limits":{"example.com/widget":"1000m"}}')),
  valid('extended resource with an upper-case name part', c('"resources":{"limits":{"example.com/GPU":"2"}}')),
  valid('hugepages with memory', c('"resources":{"limits":{"hugepages-2Mi":"4Mi","memory":"1Gi"}}')),
  invalid('hugepages without cpu or memory', c('"resources":{"limits":{"hugepages-2Mi":"4Mi"}}'), at('resources')),
  invalid('hugepages not a multiple of the page', c('"resources":{"limits":{"hugepages-2Mi":"3Mi","memory":"1Gi"}}'), at('resources.limits.hugepages-2Mi')),
  invalid('hugepages request only', c('"resources":{"requests":{"hugepages-2Mi":"2Mi","memory":"1Gi"}}'), at('resources.limits.hugepages-2Mi')),
  invalid('hugepages request below limit', c('"resources":{"requests":{"hugepages-2Mi":"2Mi"},"limits":{"hugepages-2Mi":"4Mi","memory":"1Gi"}}'), at('resources.requests.hugepages-2Mi')),
  invalid('hugepages of no page size', c('"resources":{"limits":{"hugepages-big":"2Mi","memory":"1Gi"}}'), at('resources.limits.hugepages-big')),
  valid('hugepages-1Gi with cpu', c('"resources":{"limits":{"hugepages-1Gi":"2Gi","cpu":"1"}}')),
  valid('a claim of the pod', c('"resources":{"claims":[{"name":"gpu"}]}')),
  valid('a claim of the pod with a request', c('"resources":{"claims":[{"name":"gpu","request":"one"}]}')),
  invalid('a claim the pod does not have', c('"resources":{"claims":[{"name":"fpga"}]}'), at('resources.claims[0].name')),
  invalid('a claim twice', c('"resources":{"claims":[{"name":"gpu"},{"name":"gpu"}]}'), at('resources.claims[1]')),
  invalid('a claim and one of its requests', c('"resources":{"claims":[{"name":"gpu","request":"one"},{"name":"gpu"}]}'), at('resources.claims[1]')),
  invalid('a claim request not a label', c('"resources":{"claims":[{"name":"gpu","request":"One"}]}'), at('resources.claims[0].request')),
  invalid('a claim without a name', c('"resources":{"claims":[{}]}'), at('resources.claims[0].name')),

  // Resize policy.
  valid('resizePolicy', c('"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"},{"resourceName":"memory","restartPolicy":"RestartContainer"}]')),
  invalid('resizePolicy of another resource', c('"resizePolicy":[{"resourceName":"ephemeral-storage","restartPolicy":"NotRequired"}]'), at('resizePolicy[0].resourceName')),
  invalid('resizePolicy twice for cpu', c('"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"},{"resourceName":"cpu","restartPolicy":"NotRequired"}]'), at('resizePolicy[1].resourceName')),
  invalid('resizePolicy restartPolicy unknown', c('"resizePolicy":[{"resourceName":"cpu","restartPolicy":"Sometimes"}]'), at('resizePolicy[0].restartPolicy')),
  invalid('resizePolicy restartPolicy missing', c('"resizePolicy":[{"resourceName":"cpu"}]'), at('resizePolicy[0].restartPolicy')),

  // Probes.
  valid('livenessProbe httpGet', probe('livenessProbe', http())),
  valid('readinessProbe exec', probe('readinessProbe', '{"exec":{"command":["true"]}}')),
  valid('startupProbe tcpSocket by port name', c('"ports":[{"containerPort":8080,"name":"http"}],"startupProbe":{"tcpSocket":{"port":"http"}}')),
  valid('livenessProbe grpc', probe('livenessProbe', '{"grpc":{"port":9090}}')),
  invalid('probe without a handler', probe('livenessProbe', '{"periodSeconds":5}'), at('livenessProbe')),
  invalid('probe with two handlers', probe('livenessProbe', '{"exec":{"command":["true"]},"tcpSocket":{"port":8080}}'), at('livenessProbe.tcpSocket')),
  invalid('probe exec without a command', probe('readinessProbe', '{"exec":{}}'), at('readinessProbe.exec.command')),
  invalid('probe httpGet without a port', probe('livenessProbe', '{"httpGet":{"path":"/"}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet port 0', probe('livenessProbe', '{"httpGet":{"port":0}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet port 70000', probe('livenessProbe', '{"httpGet":{"port":70000}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet port "80" (a name, and not one)', probe('livenessProbe', '{"httpGet":{"port":"80"}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet port a fraction', probe('livenessProbe', '{"httpGet":{"port":80.5}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet port a bool', probe('livenessProbe', '{"httpGet":{"port":true}}'), at('livenessProbe.httpGet.port')),
  invalid('probe httpGet scheme FTP', probe('livenessProbe', http(',"scheme":"FTP"')), at('livenessProbe.httpGet.scheme')),
  valid('probe httpGet HTTPS with headers', probe('livenessProbe', http(',"scheme":"HTTPS","httpHeaders":[{"name":"X-Probe","value":"1"}]'))),
  invalid('probe header name with a space', probe('livenessProbe', http(',"httpHeaders":[{"name":"X Probe","value":"1"}]')), at('livenessProbe.httpGet.httpHeaders[0].name')),
  invalid('probe grpc port 0', probe('livenessProbe', '{"grpc":{"port":0}}'), at('livenessProbe.grpc.port')),
  invalid('probe tcpSocket port missing', probe('startupProbe', '{"tcpSocket":{}}'), at('startupProbe.tcpSocket.port')),
  invalid('liveness successThreshold 2', probe('livenessProbe', '{"httpGet":{"port":8080},"successThreshold":2}'), at('livenessProbe.successThreshold')),
  invalid('startup successThreshold 3', probe('startupProbe', '{"exec":{"command":["true"]},"successThreshold":3}'), at('startupProbe.successThreshold')),
  valid('readiness successThreshold 3', probe('readinessProbe', '{"exec":{"command":["true"]},"successThreshold":3}')),
  valid('liveness successThreshold 0 (defaulted to 1)', probe('livenessProbe', '{"exec":{"command":["true"]},"successThreshold":0}')),
  invalid('probe timeoutSeconds negative', probe('readinessProbe', '{"exec":{"command":["true"]},"timeoutSeconds":-1}'), at('readinessProbe.timeoutSeconds')),
  invalid('probe initialDelaySeconds negative', probe('livenessProbe', '{"exec":{"command":["true"]},"initialDelaySeconds":-5}'), at('livenessProbe.initialDelaySeconds')),
  valid('probe periodSeconds 0 (defaulted)', probe('livenessProbe', '{"exec":{"command":["true"]},"periodSeconds":0,"failureThreshold":0}')),
  invalid('probe initialDelaySeconds a string', probe('livenessProbe', '{"exec":{"command":["true"]},"initialDelaySeconds":"5"}'), at('livenessProbe.initialDelaySeconds')),
  valid('liveness terminationGracePeriodSeconds', probe('livenessProbe', '{"exec":{"command":["true"]},"terminationGracePeriodSeconds":10}')),
  invalid('liveness terminationGracePeriodSeconds 0', probe('livenessProbe', '{"exec":{"command":["true"]},"terminationGracePeriodSeconds":0}'), at('livenessProbe.terminationGracePeriodSeconds')),
  invalid('readiness terminationGracePeriodSeconds', probe('readinessProbe', '{"exec":{"command":["true"]},"terminationGracePeriodSeconds":10}'), at('readinessProbe.terminationGracePeriodSeconds')),

  // Lifecycle.
  valid('preStop exec', c('"lifecycle":{"preStop":{"exec":{"command":["sh","-c","sleep 1"]}}}')),
  valid('postStart httpGet', c('"lifecycle":{"postStart":{"httpGet":{"port":8080,"path":"/started"}}}')),
  valid('preStop sleep', c('"lifecycle":{"preStop":{"sleep":{"seconds":5}}}')),
  valid('preStop sleep 0', c('"lifecycle":{"preStop":{"sleep":{"seconds":0}}}')),
  valid('preStop sleep as long as the grace period', c('"lifecycle":{"preStop":{"sleep":{"seconds":30}}}')),
  invalid('preStop sleep longer than the grace period', c('"lifecycle":{"preStop":{"sleep":{"seconds":31}}}'), at('lifecycle.preStop.sleep.seconds')),
  invalid('preStop sleep negative', c('"lifecycle":{"preStop":{"sleep":{"seconds":-1}}}'), at('lifecycle.preStop.sleep.seconds')),
  invalid('preStop without a handler', c('"lifecycle":{"preStop":{}}'), at('lifecycle.preStop')),
  invalid('postStart with two handlers', c('"lifecycle":{"postStart":{"exec":{"command":["true"]},"sleep":{"seconds":1}}}'), at('lifecycle.postStart.sleep')),
  invalid('postStart grpc (not a lifecycle handler: dropped)', c('"lifecycle":{"postStart":{"grpc":{"port":9090}}}'), at('lifecycle.postStart'), { warning: 'not a field of LifecycleHandler' }),
  valid('lifecycle empty', c('"lifecycle":{}')),
  valid('stopSignal dropped (a warning)', c('"lifecycle":{"stopSignal":"SIGUSR1"}'), { warning: `${P}.lifecycle.stopSignal: dropped by kube-apiserver 1.34` }),

  // Security context.
  valid('runAsUser and runAsGroup', c('"securityContext":{"runAsUser":1000,"runAsGroup":1000,"runAsNonRoot":true}')),
  invalid('runAsUser negative', c('"securityContext":{"runAsUser":-1}'), at('securityContext.runAsUser')),
  invalid('runAsGroup above 2^31-1', c('"securityContext":{"runAsGroup":2147483648}'), at('securityContext.runAsGroup')),
  valid('procMount Default', c('"securityContext":{"procMount":"Default"}')),
  invalid('procMount Unmasked in a pod with host users', c('"securityContext":{"procMount":"Unmasked"}'), at('securityContext.procMount')),
  invalid('procMount unknown', c('"securityContext":{"procMount":"Weird"}'), at('securityContext.procMount')),
  valid('privileged', c('"securityContext":{"privileged":true}')),
  invalid('privileged with allowPrivilegeEscalation false', c('"securityContext":{"privileged":true,"allowPrivilegeEscalation":false}'), at('securityContext.allowPrivilegeEscalation')),
  invalid('CAP_SYS_ADMIN with allowPrivilegeEscalation false', c('"securityContext":{"capabilities":{"add":["CAP_SYS_ADMIN"]},"allowPrivilegeEscalation":false}'), at('securityContext.allowPrivilegeEscalation')),
  valid('SYS_ADMIN (without CAP_) with allowPrivilegeEscalation false: the apiserver only knows CAP_SYS_ADMIN', c('"securityContext":{"capabilities":{"add":["SYS_ADMIN"]},"allowPrivilegeEscalation":false}')),
  valid('seccompProfile RuntimeDefault', c('"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}')),
  valid('seccompProfile Localhost', c('"securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"profiles/audit.json"}}')),
  invalid('seccompProfile without a type', c('"securityContext":{"seccompProfile":{}}'), at('securityContext.seccompProfile.type')),
  invalid('seccompProfile type unknown', c('"securityContext":{"seccompProfile":{"type":"Strict"}}'), at('securityContext.seccompProfile.type')),
  invalid('seccompProfile Localhost without a profile', c('"securityContext":{"seccompProfile":{"type":"Localhost"}}'), at('securityContext.seccompProfile.localhostProfile')),
  invalid('seccompProfile Localhost absolute', c('"securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"/etc/x.json"}}'), at('securityContext.seccompProfile.localhostProfile')),
  invalid('seccompProfile RuntimeDefault with a profile', c('"securityContext":{"seccompProfile":{"type":"RuntimeDefault","localhostProfile":"x.json"}}'), at('securityContext.seccompProfile.localhostProfile')),
  valid('appArmorProfile RuntimeDefault', c('"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}')),
  valid('appArmorProfile Localhost', c('"securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":"k8s-apparmor-example"}}')),
  invalid('appArmorProfile Localhost padded', c('"securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":" k8s"}}'), at('securityContext.appArmorProfile.localhostProfile')),
  invalid('appArmorProfile Localhost empty', c('"securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":""}}'), at('securityContext.appArmorProfile.localhostProfile')),
  invalid('appArmorProfile Unconfined with a profile', c('"securityContext":{"appArmorProfile":{"type":"Unconfined","localhostProfile":"x"}}'), at('securityContext.appArmorProfile.localhostProfile')),
  invalid('appArmorProfile without a type', c('"securityContext":{"appArmorProfile":{}}'), at('securityContext.appArmorProfile.type')),
  valid('windowsOptions runAsUserName', c('"securityContext":{"windowsOptions":{"runAsUserName":"ContainerUser"}}')),
  valid('windowsOptions runAsUserName with a domain', c('"securityContext":{"windowsOptions":{"runAsUserName":"NT AUTHORITY\\\\NETWORK SERVICE"}}')),
  invalid('windowsOptions runAsUserName with two backslashes', c('"securityContext":{"windowsOptions":{"runAsUserName":"a\\\\b\\\\c"}}'), at('securityContext.windowsOptions.runAsUserName')),
  invalid('windowsOptions runAsUserName empty', c('"securityContext":{"windowsOptions":{"runAsUserName":""}}'), at('securityContext.windowsOptions.runAsUserName')),
  invalid('windowsOptions runAsUserName with @', c('"securityContext":{"windowsOptions":{"runAsUserName":"user@example"}}'), at('securityContext.windowsOptions.runAsUserName')),
  invalid('windowsOptions gmsaCredentialSpecName not a subdomain', c('"securityContext":{"windowsOptions":{"gmsaCredentialSpecName":"Bad_Name"}}'), at('securityContext.windowsOptions.gmsaCredentialSpecName')),
  invalid('windowsOptions hostProcess in a pipeline pod', c('"securityContext":{"windowsOptions":{"hostProcess":true}}'), at('securityContext.windowsOptions.hostProcess')),
  valid('windowsOptions hostProcess false', c('"securityContext":{"windowsOptions":{"hostProcess":false}}')),
  valid('capabilities', c('"securityContext":{"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]}}')),
];
