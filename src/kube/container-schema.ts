// core/v1 Container and every type it reaches, as Kubernetes 1.34 defines them (k8s.io/api
// types.go). Generated, then checked against the real apiserver's OpenAPI document by
// test/e2e/container-schema.test.ts (UPDATE_SCHEMA=1 rewrites the table below).
//
// Type expressions: string, int32, int64, bool, Quantity, IntOrString, a type name of this table,
// []X (list), {}X (map of string to X); a leading '*' marks a Go pointer, whose zero value
// (0, "", false, {}) is meaningful. Without '*' a zero value means the same as absent.
export type SchemaTable = Record<string, Record<string, string>>;

// BEGIN GENERATED
export const CONTAINER_SCHEMA: SchemaTable = {
  Container: { name: 'string', image: 'string', command: '[]string', args: '[]string', workingDir: 'string', ports: '[]ContainerPort', envFrom: '[]EnvFromSource', env: '[]EnvVar', resources: 'ResourceRequirements', resizePolicy: '[]ContainerResizePolicy', restartPolicy: '*string', restartPolicyRules: '[]ContainerRestartRule', volumeMounts: '[]VolumeMount', volumeDevices: '[]VolumeDevice', livenessProbe: '*Probe', readinessProbe: '*Probe', startupProbe: '*Probe', lifecycle: '*Lifecycle', terminationMessagePath: 'string', terminationMessagePolicy: 'string', imagePullPolicy: 'string', securityContext: '*SecurityContext', stdin: 'bool', stdinOnce: 'bool', tty: 'bool' },
  ContainerPort: { name: 'string', hostPort: 'int32', containerPort: 'int32', protocol: 'string', hostIP: 'string' },
  EnvFromSource: { prefix: 'string', configMapRef: '*ConfigMapEnvSource', secretRef: '*SecretEnvSource' },
  EnvVar: { name: 'string', value: 'string', valueFrom: '*EnvVarSource' },
  ResourceRequirements: { limits: '{}Quantity', requests: '{}Quantity', claims: '[]ResourceClaim' },
  ContainerResizePolicy: { resourceName: 'string', restartPolicy: 'string' },
  ContainerRestartRule: { action: 'string', exitCodes: '*ContainerRestartRuleOnExitCodes' },
  VolumeMount: { name: 'string', readOnly: 'bool', recursiveReadOnly: '*string', mountPath: 'string', subPath: 'string', mountPropagation: '*string', subPathExpr: 'string' },
  VolumeDevice: { name: 'string', devicePath: 'string' },
  Probe: { exec: '*ExecAction', httpGet: '*HTTPGetAction', tcpSocket: '*TCPSocketAction', grpc: '*GRPCAction', initialDelaySeconds: 'int32', timeoutSeconds: 'int32', periodSeconds: 'int32', successThreshold: 'int32', failureThreshold: 'int32', terminationGracePeriodSeconds: '*int64' },
  Lifecycle: { postStart: '*LifecycleHandler', preStop: '*LifecycleHandler', stopSignal: '*string' },
  SecurityContext: { capabilities: '*Capabilities', privileged: '*bool', seLinuxOptions: '*SELinuxOptions', windowsOptions: '*WindowsSecurityContextOptions', runAsUser: '*int64', runAsGroup: '*int64', runAsNonRoot: '*bool', readOnlyRootFilesystem: '*bool', allowPrivilegeEscalation: '*bool', procMount: '*string', seccompProfile: '*SeccompProfile', appArmorProfile: '*AppArmorProfile' },
  ConfigMapEnvSource: { name: 'string', optional: '*bool' },
  SecretEnvSource: { name: 'string', optional: '*bool' },
  EnvVarSource: { fieldRef: '*ObjectFieldSelector', resourceFieldRef: '*ResourceFieldSelector', configMapKeyRef: '*ConfigMapKeySelector', secretKeyRef: '*SecretKeySelector', fileKeyRef: '*FileKeySelector' },
  ResourceClaim: { name: 'string', request: 'string' },
  ContainerRestartRuleOnExitCodes: { operator: 'string', values: '[]int32' },
  ExecAction: { command: '[]string' },
  HTTPGetAction: { path: 'string', port: 'IntOrString', host: 'string', scheme: 'string', httpHeaders: '[]HTTPHeader' },
  TCPSocketAction: { port: 'IntOrString', host: 'string' },
  GRPCAction: { port: 'int32', service: '*string' },
  LifecycleHandler: { exec: '*ExecAction', httpGet: '*HTTPGetAction', tcpSocket: '*TCPSocketAction', sleep: '*SleepAction' },
  Capabilities: { add: '[]string', drop: '[]string' },
  SELinuxOptions: { user: 'string', role: 'string', type: 'string', level: 'string' },
  WindowsSecurityContextOptions: { gmsaCredentialSpecName: '*string', gmsaCredentialSpec: '*string', runAsUserName: '*string', hostProcess: '*bool' },
  SeccompProfile: { type: 'string', localhostProfile: '*string' },
  AppArmorProfile: { type: 'string', localhostProfile: '*string' },
  ObjectFieldSelector: { apiVersion: 'string', fieldPath: 'string' },
  ResourceFieldSelector: { containerName: 'string', resource: 'string', divisor: 'Quantity' },
  ConfigMapKeySelector: { name: 'string', key: 'string', optional: '*bool' },
  SecretKeySelector: { name: 'string', key: 'string', optional: '*bool' },
  FileKeySelector: { volumeName: 'string', path: 'string', key: 'string', optional: '*bool' },
  HTTPHeader: { name: 'string', value: 'string' },
  SleepAction: { seconds: 'int64' },
};
// END GENERATED

/** A parsed type expression of the table. */
export type FieldType =
  | { kind: 'string' | 'bool' | 'Quantity' | 'IntOrString'; pointer: boolean }
  | { kind: 'int32' | 'int64'; pointer: boolean }
  | { kind: 'object'; type: string; pointer: boolean }
  | { kind: 'list'; items: FieldType; pointer: false }
  | { kind: 'map'; values: FieldType; pointer: false };

const SCALARS = new Set(['string', 'bool', 'Quantity', 'IntOrString', 'int32', 'int64']);

export function parseFieldType(expr: string): FieldType {
  if (expr.startsWith('*')) return { ...parseFieldType(expr.slice(1)), pointer: true } as FieldType;
  if (expr.startsWith('[]')) return { kind: 'list', items: parseFieldType(expr.slice(2)), pointer: false };
  if (expr.startsWith('{}')) return { kind: 'map', values: parseFieldType(expr.slice(2)), pointer: false };
  if (SCALARS.has(expr)) return { kind: expr as 'string', pointer: false };
  if (!Object.hasOwn(CONTAINER_SCHEMA, expr)) throw new Error(`container schema: unknown type ${expr}`);
  return { kind: 'object', type: expr, pointer: false };
}

/** Every type of the table with its fields parsed, built once. */
export const CONTAINER_TYPES: ReadonlyMap<string, ReadonlyMap<string, FieldType>> = new Map(
  Object.entries(CONTAINER_SCHEMA).map(([name, fields]) => [name, new Map(Object.entries(fields).map(([field, expr]) => [field, parseFieldType(expr)]))]),
);

/** The fields of one type; throws for a name the table does not have (a bug, not input). */
export function fieldsOf(type: string): ReadonlyMap<string, FieldType> {
  const fields = CONTAINER_TYPES.get(type);
  if (fields === undefined) throw new Error(`container schema: unknown type ${type}`);
  return fields;
}
