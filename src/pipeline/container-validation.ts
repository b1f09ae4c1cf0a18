// Validates each declared sidecar the way kube-apiserver 1.34 validates an init container with
// restartPolicy Always in a Pod (pkg/apis/core/validation: validateInitContainers,
// validateContainerCommon and what they call), but before injection and with messages that point
// into the runtime_config (init_containers[1].resources.limits.cpu) instead of into a pod the user
// never wrote. What the apiserver would refuse after us, we refuse first; what it accepts, we
// accept. Errors deny the pod; warnings only inform.
//
// Two steps per container: src/kube/shape.ts reads it as the apiserver's decoder would (unknown
// fields dropped with a warning, wrong JSON types refused), then RULES below, one table, each row
// the field it checks, the rule, and the check that words the message. The rules see the shaped
// copy only, so every value has the type the schema declares. The apiserver validates after its
// defaulting (SetDefaults_Container, _Probe, _HTTPGetAction, requests from limits, quantities
// rounded up to millis), and the rules read zero values as those defaults do.
//
// Messages name the field path and the rule; they quote names only (container, env, port,
// volume, resource and config map names, cut to 63 characters), never values. Pod-dependent
// checks (volumes that exist in the pod, names colliding with the pod's own containers) are in
// src/mutate; the few rules that need a fact of the pod take it from ValidationContext, and skip
// that part when it is not given.
import { isIP } from 'node:net';
import { isObject, type Json, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';
import {
  hasOuterSpace,
  hasSpace,
  hugePageSize,
  isConfigMapKey,
  isDns1123Label,
  isDns1123Subdomain,
  isDns1123SubdomainPrefix,
  isEnvVarName,
  isHttpHeaderName,
  isPortName,
  isQualifiedName,
  resourceNameKind,
  type ResourceNameKind,
} from '../kube/names.js';
import {
  compareQuantities,
  fitsInt64,
  goTrimSpace,
  parseQuantity,
  quantityFormat,
  quantityKey,
  roundUpToMilli,
  wholeValue,
  type Quantity,
  type QuantityFormat,
} from '../kube/quantity.js';
import { keySegment, shapeContainer } from '../kube/shape.js';
import { LIMITS } from './limits.js';

export interface ContainerFindings {
  /** The declared containers that are objects, in order, as shape.ts read them (unknown fields dropped). Only meaningful without errors. */
  containers: JsonObject[];
  errors: string[];
  warnings: string[];
}

/** Facts of the pod a few rules need; a rule skips the part that needs a fact that is not given. */
export interface ValidationContext {
  /** spec.terminationGracePeriodSeconds (the apiserver defaults it to 30): a lifecycle sleep may not be longer. */
  terminationGracePeriodSeconds?: number;
  /** Names in spec.resourceClaims: resources.claims must name one of them. */
  podClaimNames?: readonly string[];
  /** spec.securityContext.hostUsers (default true): procMount Unmasked needs false. */
  hostUsers?: boolean;
  /** spec.restartPolicy (default Always): with Never, a resizePolicy may only be NotRequired. */
  podRestartPolicy?: string;
}

/** The context of a pod, with the apiserver's defaults for what it does not set. */
export function validationContextOf(pod: JsonObject): ValidationContext {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const security = isObject(spec.securityContext) ? spec.securityContext : {};
  const claims = Array.isArray(spec.resourceClaims) ? spec.resourceClaims : [];
  return {
    terminationGracePeriodSeconds: typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30,
    podClaimNames: claims.flatMap((claim) => (isObject(claim) && typeof claim.name === 'string' ? [claim.name] : [])),
    hostUsers: typeof security.hostUsers === 'boolean' ? security.hostUsers : true,
    podRestartPolicy: typeof spec.restartPolicy === 'string' && spec.restartPolicy !== '' ? spec.restartPolicy : 'Always',
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the shaped copy: own properties only, Go's zero value for what is absent.

function own(node: Json | undefined, key: string): Json | undefined {
  return isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
}

function text(node: Json | undefined, key: string): string {
  const value = own(node, key);
  return typeof value === 'string' ? value : '';
}

function int(node: Json | undefined, key: string): number {
  const value = own(node, key);
  return typeof value === 'number' ? value : 0;
}

function flag(node: Json | undefined, key: string): boolean {
  return own(node, key) === true;
}

function items(node: Json | undefined, key: string): Json[] {
  const value = own(node, key);
  return Array.isArray(value) ? value : [];
}

const asList = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

const has = (node: Json | undefined, key: string): boolean => own(node, key) !== undefined;

const oneOf = (values: readonly string[]): string => (values.length === 2 ? `${values[0]} or ${values[1]}` : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`);

// ---------------------------------------------------------------------------------------------
// The rule table's machinery.

interface Finding {
  /** Appended to the path of the value checked ('.key', '[2].name'); none: the value's own path. */
  at?: string;
  message: string;
  warning?: true;
}

type Found = Finding | readonly Finding[] | null;

interface Where {
  /** Path of the value checked: init_containers[0].ports[1].name. */
  path: string;
  /** The last key on the path (a field name or a map key). */
  key: string;
  /** The key before it: the field holding a map entry (limits, requests). */
  parentKey: string;
  container: JsonObject;
  context: ValidationContext;
  /** Names of the sidecars declared before this one, with their index. */
  earlier: ReadonlyMap<string, number>;
  resources: () => ResourceView;
}

export interface Rule {
  /** Where it applies, relative to the container: 'ports[*].containerPort', 'resources.limits.*' ('' is the container). */
  at: readonly string[];
  /** The apiserver's rule (or ours, marked "product" or "limit"), one line, for the README's table. */
  rule: string;
  /** A LIMITS row: checked first; a container over a limit gets no other rule. */
  limit?: true;
  /** Called for each value the pattern reaches; a plain last segment is called with undefined when absent. */
  check: (value: Json | undefined, where: Where) => Found;
}

type Segment = { kind: 'field'; name: string; each: boolean } | { kind: 'entries' };

function parsePattern(pattern: string): Segment[] {
  if (pattern === '') return [];
  return pattern.split('.').map((part) => {
    if (part === '*') return { kind: 'entries' };
    const each = part.endsWith('[*]');
    return { kind: 'field', name: each ? part.slice(0, -3) : part, each };
  });
}

type Visitor = (value: Json | undefined, path: string, key: string, parentKey: string) => void;

// Runs for every pattern of every declared container, and most patterns reach nothing (a sidecar
// has no lifecycle, no probes): the value is looked up before any path text is built, so a
// pattern that reaches nothing costs a property lookup and allocates nothing.
function visit(node: Json | undefined, segments: readonly Segment[], i: number, path: string, key: string, parentKey: string, call: Visitor): void {
  const segment = segments[i];
  if (segment === undefined) {
    call(node, path, key, parentKey);
    return;
  }
  if (!isObject(node)) return;
  if (segment.kind === 'entries') {
    for (const entry of Object.keys(node)) visit(node[entry], segments, i + 1, `${path}${keySegment(entry)}`, entry, key, call);
    return;
  }
  const value = own(node, segment.name);
  if (segment.each) {
    if (!Array.isArray(value) || value.length === 0) return;
    const at = `${path}.${segment.name}`;
    for (let j = 0; j < value.length; j++) visit(value[j], segments, i + 1, `${at}[${j}]`, segment.name, key, call);
    return;
  }
  if (value === undefined && i < segments.length - 1) return;
  visit(value, segments, i + 1, `${path}.${segment.name}`, segment.name, key, call);
}

// ---------------------------------------------------------------------------------------------
// Shared checks.

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;
const HOOKS = ['lifecycle.postStart', 'lifecycle.preStop'] as const;
const HANDLERS = [...PROBES, ...HOOKS];
const under = (bases: readonly string[], suffix: string): string[] => bases.map((base) => `${base}.${suffix}`);

const PORT_NAME_RULE = "at most 15 of a-z, 0-9 and '-', at least one letter, no '--', not starting or ending with '-'";

/** intstr port of an httpGet or tcpSocket: 1-65535, or a port name (ValidatePortNumOrName). */
function portNumberOrName(value: Json | undefined): Found {
  if (typeof value === 'string') {
    if (isPortName(value)) return null;
    const digits = value.length > 0 && [...value].every((c) => c >= '0' && c <= '9');
    return { message: digits ? 'a port number must be written without quotes (a string is a port name)' : `must be a port number (1-65535) or a port name (${PORT_NAME_RULE})` };
  }
  const port = typeof value === 'number' ? value : 0;
  if (port >= 1 && port <= 65535) return null;
  return { message: value === undefined ? 'required: a port number (1-65535) or the name of one of the container\'s ports' : 'must be between 1 and 65535' };
}

/** validateHandler: exactly one handler of the kinds allowed there. */
function oneHandler(kinds: readonly string[]): Rule['check'] {
  return (value) => {
    if (!isObject(value)) return null;
    const present = kinds.filter((kind) => has(value, kind));
    if (present.length === 0) return { message: `must set one handler: ${oneOf(kinds)}` };
    return present.slice(1).map((kind) => ({ at: `.${kind}`, message: `only one handler may be set (${present[0]} is set already)` }));
  };
}

/** validateLocalDescendingPath: relative, and no ".." element. */
function descendingPath(value: string): string | null {
  if (value.startsWith('/')) return 'must be a relative path';
  return value.split('/').includes('..') ? "must not contain '..'" : null;
}

function noBacksteps(value: string): string | null {
  return value.split('/').includes('..') ? "must not contain '..'" : null;
}

function quantityProblem(value: Json | undefined): string | null {
  if (parseQuantity(value) !== null) return null;
  if (typeof value === 'number') return 'a number that JSON cannot carry exactly; write it as a string (e.g. "1e400")';
  return 'not a valid quantity (e.g. "500m", "1", "512Mi")';
}

/** The subscript of "metadata.labels['key']" (fieldpath.SplitMaybeSubscriptedPath), or null. */
function subscripted(path: string): { head: string; key: string } | null {
  if (!path.endsWith("']")) return null;
  const body = path.slice(0, -2);
  const open = body.indexOf("['");
  if (open <= 0) return null;
  return { head: body.slice(0, open), key: body.slice(open + 2) };
}

/** The Downward API fields an env var may read (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS: readonly string[] = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELD_PATHS: readonly string[] = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];

/**
 * validateContainerResourceDivisor: the divisor's canonical form (apimachinery's String(), a
 * function of the value and the format it was written in) must be one of a short list.
 */
const DECIMAL_DIVISORS: ReadonlySet<string> = new Set(['1e3', '1e6', '1e9', '1e12', '1e15', '1e18']);
const BINARY_DIVISORS: ReadonlySet<string> = new Set(['1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'].map((t) => quantityKey(parseQuantity(t) as Quantity)));

function divisorAllowed(resource: string, q: Quantity, format: QuantityFormat): boolean {
  const key = quantityKey(q);
  if (key === '1e0') return true;
  if (resource === 'limits.cpu' || resource === 'requests.cpu') return key === '1e-3' && format !== 'DecimalExponent';
  // 1k..1E when written with decimal suffixes, 1Ki..1Ei with binary ones; a binary value under
  // 1024 is shown in decimal (1000 written as 0.9765625Ki is "1k").
  if (DECIMAL_DIVISORS.has(key)) return format === 'DecimalSI' || (format === 'BinarySI' && key === '1e3');
  return BINARY_DIVISORS.has(key) && format === 'BinarySI';
}

function divisorResourceKind(resource: string): 'cpu' | 'bytes' | null {
  if (resource === 'limits.cpu' || resource === 'requests.cpu') return 'cpu';
  if (['limits.memory', 'requests.memory', 'limits.ephemeral-storage', 'requests.ephemeral-storage'].includes(resource)) return 'bytes';
  return resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-') ? 'bytes' : null;
}

// ---------------------------------------------------------------------------------------------
// Requests and limits, read once per container.

interface ResourceEntry {
  name: string;
  kind: ResourceNameKind;
  /** Rounded up to millis as SetDefaults_ResourceList does; null when not a valid quantity. */
  value: Quantity | null;
}

interface ResourceView {
  requests: Map<string, ResourceEntry>;
  limits: Map<string, ResourceEntry>;
}

function resourceList(resources: Json | undefined, list: 'requests' | 'limits'): Map<string, ResourceEntry> {
  const out = new Map<string, ResourceEntry>();
  const entries = own(resources, list);
  if (!isObject(entries)) return out;
  for (const name of Object.keys(entries)) {
    const parsed = parseQuantity(entries[name]);
    const entry = { name, kind: resourceNameKind(name), value: parsed === null ? null : roundUpToMilli(parsed) };
    out.set(name, entry);
  }
  return out;
}

function viewResources(container: JsonObject): ResourceView {
  const resources = own(container, 'resources');
  return { requests: resourceList(resources, 'requests'), limits: resourceList(resources, 'limits') };
}

const NO_ENTRY: ResourceEntry = { name: '', kind: 'invalid', value: null };
/** The entry a rule on resources.limits.* or resources.requests.* is called for. */
function entryAt(where: Where): ResourceEntry {
  const view = where.resources();
  const list = where.parentKey === 'limits' ? view.limits : where.parentKey === 'requests' ? view.requests : null;
  return list?.get(where.key) ?? NO_ENTRY;
}

const RESOURCE_NAME_RULE = 'cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource <domain>/<name> such as nvidia.com/gpu';
const overcommitted = (kind: ResourceNameKind): boolean => kind === 'standard' || kind === 'native';

/** Value() of a positive quantity: rounded up to a whole number; null beyond int64. */
function ceilWhole(q: Quantity): bigint | null {
  if (q.exp10 >= 0 || q.digits === '') return wholeValue(q);
  const wholeDigits = q.digits.length + q.exp10;
  if (wholeDigits > 18) return null;
  return (wholeDigits > 0 ? BigInt(q.digits.slice(0, wholeDigits)) : 0n) + 1n;
}

// ---------------------------------------------------------------------------------------------
// Windows options (validateWindowsSecurityContextOptions), without its regular expressions.

const USER_NAME_FORBIDDEN = '"/\\:;|=,+*?<>@[]';
const NETBIOS_FORBIDDEN = '\\/:*?"<>|';

function isWindowsDnsDomain(domain: string): boolean {
  if (domain.length === 0) return false;
  return domain.split('.').every((label) => {
    if (label.length === 0 || label.length > 63) return false;
    for (let i = 0; i < label.length; i++) {
      const code = label.charCodeAt(i);
      const alnum = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
      if (!alnum && !(code === 45 && i > 0 && i < label.length - 1)) return false;
    }
    return true;
  });
}

function isNetBiosDomain(domain: string): boolean {
  const runes = [...domain];
  if (runes.length === 0 || runes.length > 15) return false;
  if (runes[0] === '.') return false;
  return runes.every((rune) => !NETBIOS_FORBIDDEN.includes(rune));
}

function runAsUserNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 32 || code === 127) return 'must not contain control characters';
  }
  const parts = name.split('\\');
  if (parts.length > 2) return 'must not contain more than one backslash';
  const [domain, user] = parts.length === 1 ? ['', parts[0] ?? ''] : [parts[0] ?? '', parts[1] ?? ''];
  if (Buffer.byteLength(domain) >= 256) return "the domain must be under 256 characters";
  if (parts.length === 2 && !(isNetBiosDomain(domain) || isWindowsDnsDomain(domain))) return 'the domain must be a NetBIOS or a DNS name';
  const userBytes = Buffer.byteLength(user);
  if (userBytes === 0) return 'the user must not be empty';
  if (userBytes > 104) return 'the user must be at most 104 characters';
  if ([...user].every((c) => c === '.' || c === ' ')) return 'the user must not be only periods or spaces';
  if ([...user].some((c) => USER_NAME_FORBIDDEN.includes(c))) return `the user must not contain any of ${USER_NAME_FORBIDDEN}`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The rules. Order matters only for the order of messages.

const count = (what: string, limit: number, name: string): Rule['check'] => (value) =>
  Array.isArray(value) && value.length > limit ? { message: `${value.length} ${what}; this webhook accepts at most ${limit} per sidecar (limit ${name})` } : null;

export const RULES: readonly Rule[] = [
  // Limits (src/pipeline/limits.ts), before anything else.
  { at: ['image'], limit: true, rule: `limit: at most ${LIMITS.imageLength} characters`, check: (v) => (typeof v === 'string' && v.length > LIMITS.imageLength ? { message: `longer than ${LIMITS.imageLength} characters (limit imageLength)` } : null) },
  { at: ['env'], limit: true, rule: `limit: at most ${LIMITS.envPerSidecar} entries`, check: count('entries', LIMITS.envPerSidecar, 'envPerSidecar') },
  { at: ['env[*].name'], limit: true, rule: `limit: at most ${LIMITS.envNameLength} characters`, check: (v) => (typeof v === 'string' && v.length > LIMITS.envNameLength ? { message: `longer than ${LIMITS.envNameLength} characters (limit envNameLength)` } : null) },
  { at: ['envFrom'], limit: true, rule: `limit: at most ${LIMITS.envFromPerSidecar} entries`, check: count('entries', LIMITS.envFromPerSidecar, 'envFromPerSidecar') },
  { at: ['ports'], limit: true, rule: `limit: at most ${LIMITS.portsPerSidecar} entries`, check: count('entries', LIMITS.portsPerSidecar, 'portsPerSidecar') },
  { at: ['volumeMounts'], limit: true, rule: `limit: at most ${LIMITS.volumeMountsPerSidecar} entries`, check: count('entries', LIMITS.volumeMountsPerSidecar, 'volumeMountsPerSidecar') },
  { at: ['volumeDevices'], limit: true, rule: `limit: at most ${LIMITS.volumeDevicesPerSidecar} entries`, check: count('entries', LIMITS.volumeDevicesPerSidecar, 'volumeDevicesPerSidecar') },

  // Name, image, policies.
  {
    at: ['name'],
    rule: 'required; a DNS-1123 label',
    check: (v) => {
      if (v === undefined || v === '') return { message: 'required: a DNS-1123 label such as "log-shipper"' };
      if (typeof v !== 'string' || isDns1123Label(v)) return null;
      return { message: `${quoteName(v)} must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)` };
    },
  },
  {
    at: ['name'],
    rule: 'product: unique among the declared sidecars',
    check: (v, where) => {
      const first = typeof v === 'string' ? where.earlier.get(v) : undefined;
      return first === undefined ? null : { message: `${quoteName(v as string)} is already the name of init_containers[${first}]; sidecar names must be unique` };
    },
  },
  { at: ['image'], rule: 'required', check: (v) => (v === undefined || v === '' ? { message: 'required (e.g. "ubuntu:24.04")' } : null) },
  { at: ['image'], rule: 'no leading or trailing whitespace (Pods only)', check: (v) => (typeof v === 'string' && hasOuterSpace(v) ? { message: 'must not begin or end with whitespace' } : null) },
  {
    at: ['image'],
    rule: 'warning: whitespace inside (the apiserver accepts it; no registry serves it)',
    check: (v) => (typeof v === 'string' && !hasOuterSpace(v) && hasSpace(v) ? { message: 'contains whitespace; the apiserver accepts it, but no registry can serve such an image', warning: true } : null),
  },
  { at: ['imagePullPolicy'], rule: 'Always, IfNotPresent or Never (empty: defaulted)', check: (v) => (typeof v === 'string' && v !== '' && !['Always', 'IfNotPresent', 'Never'].includes(v) ? { message: 'must be Always, IfNotPresent or Never' } : null) },
  {
    at: ['terminationMessagePolicy'],
    rule: 'File or FallbackToLogsOnError (empty: defaulted)',
    check: (v) => (typeof v === 'string' && v !== '' && v !== 'File' && v !== 'FallbackToLogsOnError' ? { message: 'must be File or FallbackToLogsOnError' } : null),
  },
  {
    at: ['restartPolicy'],
    rule: 'product: absent or Always (the apiserver allows only Always on an init container)',
    check: (v) => (v !== undefined && v !== 'Always' ? { message: 'must be "Always" or absent (a sidecar runs for the pipeline\'s whole life)' } : null),
  },
  {
    at: ['restartPolicyRules'],
    rule: 'warning: dropped (feature gate ContainerRestartRules is off in 1.34)',
    check: (v) =>
      Array.isArray(v) && v.length > 0
        ? { message: 'dropped by kube-apiserver 1.34 (feature gate ContainerRestartRules is off); where it is on, a sidecar (restartPolicy Always) may not have restart rules', warning: true }
        : null,
  },

  // Ports (validateContainerPorts, AccumulateUniqueHostPorts, and the apiserver's port warnings).
  {
    at: ['ports[*].name'],
    rule: 'empty, or an IANA service name',
    check: (v) => (typeof v === 'string' && v !== '' && !isPortName(v) ? { message: `${quoteName(v)} must be an IANA service name (${PORT_NAME_RULE})` } : null),
  },
  {
    at: ['ports'],
    rule: 'port names unique',
    check: (v) => {
      const seen = new Map<string, number>();
      const out: Finding[] = [];
      asList(v).forEach((port, i) => {
        const name = text(port, 'name');
        if (name === '' || !isPortName(name)) return;
        const first = seen.get(name);
        if (first !== undefined) out.push({ at: `[${i}].name`, message: `${quoteName(name)} is already the name of ports[${first}]` });
        else seen.set(name, i);
      });
      return out;
    },
  },
  {
    at: ['ports[*].containerPort'],
    rule: 'required; 1-65535',
    check: (v) => {
      const port = typeof v === 'number' ? v : 0;
      if (port === 0) return { message: 'required: the port number (1-65535)' };
      return port < 1 || port > 65535 ? { message: 'must be between 1 and 65535' } : null;
    },
  },
  { at: ['ports[*].hostPort'], rule: '0 (none) or 1-65535', check: (v) => (typeof v === 'number' && v !== 0 && (v < 1 || v > 65535) ? { message: 'must be 0 (none) or between 1 and 65535' } : null) },
  { at: ['ports[*].protocol'], rule: 'TCP, UDP or SCTP (empty: TCP)', check: (v) => (typeof v === 'string' && v !== '' && !['TCP', 'UDP', 'SCTP'].includes(v) ? { message: 'must be TCP, UDP or SCTP' } : null) },
  {
    at: ['ports'],
    rule: 'hostPort unique per protocol and hostIP',
    check: (v) => {
      const seen = new Map<string, number>();
      const out: Finding[] = [];
      asList(v).forEach((port, i) => {
        const hostPort = int(port, 'hostPort');
        if (hostPort === 0) return;
        const key = `${text(port, 'protocol') || 'TCP'}/${text(port, 'hostIP')}/${hostPort}`;
        const first = seen.get(key);
        if (first !== undefined) out.push({ at: `[${i}].hostPort`, message: `the same hostPort, protocol and hostIP as ports[${first}]` });
        else seen.set(key, i);
      });
      return out;
    },
  },
  {
    at: ['ports[*]'],
    rule: 'warning: hostIP not an IP address (the apiserver does not check it), or set without hostPort',
    check: (v) => {
      const hostIP = text(v, 'hostIP');
      if (hostIP === '') return null;
      // Bounded before node's parser: the longest IPv6 text is 45 characters.
      if (hostIP.length > 45 || isIP(hostIP) === 0) return { at: '.hostIP', message: 'not an IP address; the apiserver accepts it, the node cannot bind it', warning: true };
      return int(v, 'hostPort') === 0 ? { at: '.hostIP', message: 'set without hostPort; it has no effect', warning: true } : null;
    },
  },

  // Env (ValidateEnv, validateEnvVarValueFrom and the selectors), and the apiserver's duplicate-name warning.
  {
    at: ['env[*].name'],
    rule: 'required; printable ASCII except "=" (relaxed names, GA in 1.34: "1ST_VAR" is valid)',
    check: (v) => {
      if (v === undefined || v === '') return { message: 'required: the variable\'s name' };
      return typeof v === 'string' && !isEnvVarName(v) ? { message: `${quoteName(v)} must consist of printable ASCII characters other than '='` } : null;
    },
  },
  {
    at: ['env[*]'],
    rule: 'valueFrom: exactly one source, and not with a non-empty value',
    check: (v) => {
      const from = own(v, 'valueFrom');
      if (!isObject(from)) return null;
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => has(from, s));
      if (sources.length === 0) {
        const gated = has(from, 'fileKeyRef') ? ' (fileKeyRef is dropped by kube-apiserver 1.34: feature gate EnvFiles is off)' : '';
        return { at: '.valueFrom', message: `must set one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef${gated}` };
      }
      if (text(v, 'value') !== '') return { at: '.valueFrom', message: 'may not be set when value is not empty: set one of them' };
      return sources.length > 1 ? { at: '.valueFrom', message: `may set only one source, not ${sources.join(' and ')}` } : null;
    },
  },
  {
    at: ['env'],
    rule: 'warning: a name defined twice hides the first definition',
    check: (v) => {
      const seen = new Map<string, number>();
      const out: Finding[] = [];
      asList(v).forEach((entry, i) => {
        const name = text(entry, 'name');
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, i);
          return;
        }
        const ref = `$(${name})`;
        const value = text(entry, 'value');
        if (has(entry, 'valueFrom') || value === ref || !value.includes(ref)) {
          out.push({ at: `[${i}]`, message: `hides env[${first}] of the same name ${quoteName(name)}, which may be dropped when using apply`, warning: true });
        }
      });
      return out;
    },
  },
  {
    at: ['env[*].valueFrom.fileKeyRef'],
    rule: 'warning: dropped (feature gate EnvFiles is off in 1.34)',
    check: (v) => (v === undefined ? null : { message: 'dropped by kube-apiserver 1.34 (feature gate EnvFiles is off)', warning: true }),
  },
  {
    at: ['env[*].valueFrom.fieldRef'],
    rule: 'apiVersion v1; fieldPath one the Downward API offers env vars',
    check: (v) => {
      if (v === undefined) return null;
      const apiVersion = text(v, 'apiVersion') || 'v1';
      const fieldPath = text(v, 'fieldPath');
      if (fieldPath === '') return { at: '.fieldPath', message: 'required (e.g. "metadata.name")' };
      if (apiVersion !== 'v1') return { at: '.apiVersion', message: 'must be "v1"' };
      const sub = subscripted(fieldPath);
      if (sub !== null) {
        if (sub.head !== 'metadata.labels' && sub.head !== 'metadata.annotations') return { at: '.fieldPath', message: "only metadata.labels['<key>'] and metadata.annotations['<key>'] take a subscript" };
        const key = sub.head === 'metadata.annotations' ? sub.key.toLowerCase() : sub.key;
        return isQualifiedName(key) ? null : { at: '.fieldPath', message: 'the key in [\'...\'] must be a label or annotation key (a qualified name such as "app" or "example.com/tier")' };
      }
      const converted = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
      return ENV_FIELD_PATHS.includes(converted)
        ? null
        : { at: '.fieldPath', message: `must be one of ${ENV_FIELD_PATHS.join(', ')}, or metadata.labels['<key>'] or metadata.annotations['<key>']` };
    },
  },
  {
    at: ['env[*].valueFrom.resourceFieldRef.divisor'],
    rule: 'a valid quantity',
    check: (v) => {
      const problem = v === undefined ? null : quantityProblem(v);
      return problem === null ? null : { message: problem };
    },
  },
  {
    at: ['env[*].valueFrom.resourceFieldRef'],
    rule: 'resource one of limits/requests.cpu, .memory, .ephemeral-storage, .hugepages-*; divisor 1 or 1m (cpu), 1, 1k..1E, 1Ki..1Ei (bytes)',
    check: (v) => {
      if (v === undefined) return null;
      const resource = text(v, 'resource');
      const out: Finding[] = [];
      if (resource === '') out.push({ at: '.resource', message: 'required (e.g. "limits.memory")' });
      else if (!RESOURCE_FIELD_PATHS.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
        out.push({ at: '.resource', message: `must be one of ${RESOURCE_FIELD_PATHS.join(', ')}, or limits/requests.hugepages-<size>` });
      }
      const raw = own(v, 'divisor');
      const divisor = raw === undefined ? null : parseQuantity(raw);
      const format = raw === undefined ? null : quantityFormat(raw);
      const kind = divisorResourceKind(resource);
      if (divisor !== null && format !== null && divisor.digits !== '' && kind !== null && !divisorAllowed(resource, divisor, format)) {
        out.push({ at: '.divisor', message: kind === 'cpu' ? 'must be 1m or 1 for cpu' : 'must be 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi or 1Ei' });
      }
      return out;
    },
  },
  {
    at: ['env[*].valueFrom.configMapKeyRef', 'env[*].valueFrom.secretKeyRef'],
    rule: 'name a DNS-1123 subdomain; key required, [-._a-zA-Z0-9]+ of at most 253, not "." or ".."',
    check: (v, where) => {
      if (v === undefined) return null;
      const what = where.key === 'configMapKeyRef' ? 'ConfigMap' : 'Secret';
      const out: Finding[] = [];
      const name = text(v, 'name');
      if (!isDns1123Subdomain(name)) out.push({ at: '.name', message: name === '' ? `required: the ${what}'s name` : `${quoteName(name)} must be a DNS-1123 subdomain (the ${what}'s name)` });
      const key = text(v, 'key');
      if (key === '') out.push({ at: '.key', message: `required: the key in the ${what}` });
      else if (!isConfigMapKey(key)) out.push({ at: '.key', message: `${quoteName(key)} must be at most 253 of letters, digits, '-', '_' and '.', and not '.', '..' or start with '..'` });
      return out;
    },
  },

  // EnvFrom (ValidateEnvFrom).
  { at: ['envFrom[*].prefix'], rule: 'empty, or printable ASCII except "="', check: (v) => (typeof v === 'string' && v !== '' && !isEnvVarName(v) ? { message: "must consist of printable ASCII characters other than '='" } : null) },
  {
    at: ['envFrom[*]'],
    rule: 'exactly one of configMapRef and secretRef',
    check: (v) => {
      const sources = ['configMapRef', 'secretRef'].filter((s) => has(v, s));
      if (sources.length === 0) return { message: 'must set configMapRef or secretRef' };
      return sources.length > 1 ? { message: 'may set only one of configMapRef and secretRef' } : null;
    },
  },
  {
    at: ['envFrom[*].configMapRef.name', 'envFrom[*].secretRef.name'],
    rule: 'required; a DNS-1123 subdomain',
    check: (v) => {
      const name = typeof v === 'string' ? v : '';
      if (name === '') return { message: 'required' };
      return isDns1123SubdomainPrefix(name) ? null : { message: `${quoteName(name)} must be a DNS-1123 subdomain` };
    },
  },

  // Volume mounts and devices (ValidateVolumeMounts, ValidateVolumeDevices; that the volume exists is checked against the pod in src/mutate).
  { at: ['volumeMounts[*].name'], rule: 'required', check: (v) => (v === undefined || v === '' ? { message: "required: the name of one of the pod's volumes" } : null) },
  { at: ['volumeMounts[*].mountPath'], rule: 'required', check: (v) => (v === undefined || v === '' ? { message: 'required: where the volume appears in the container' } : null) },
  {
    at: ['volumeMounts'],
    rule: 'mountPath unique; neither name nor path also a volumeDevice',
    check: (v, where) => {
      const devices = items(where.container, 'volumeDevices');
      const deviceNames = new Set(devices.map((d) => text(d, 'name')));
      const devicePaths = new Set(devices.map((d) => text(d, 'devicePath')));
      const seen = new Map<string, number>();
      const out: Finding[] = [];
      asList(v).forEach((mount, i) => {
        const path = text(mount, 'mountPath');
        const first = seen.get(path);
        if (first !== undefined) out.push({ at: `[${i}].mountPath`, message: `must be unique (the same as volumeMounts[${first}])` });
        else seen.set(path, i);
        if (deviceNames.has(text(mount, 'name'))) out.push({ at: `[${i}].name`, message: 'must not also be the name of a volumeDevice' });
        if (devicePaths.has(path)) out.push({ at: `[${i}].mountPath`, message: 'must not also be the path of a volumeDevice' });
      });
      return out;
    },
  },
  {
    at: ['volumeMounts[*].subPath', 'volumeMounts[*].subPathExpr'],
    rule: "relative, without '..'",
    check: (v) => {
      const problem = typeof v === 'string' && v !== '' ? descendingPath(v) : null;
      return problem === null ? null : { message: problem };
    },
  },
  {
    at: ['volumeMounts[*]'],
    rule: 'subPath and subPathExpr not both',
    check: (v) => (text(v, 'subPath') !== '' && text(v, 'subPathExpr') !== '' ? { at: '.subPathExpr', message: 'subPathExpr and subPath are mutually exclusive' } : null),
  },
  {
    at: ['volumeMounts[*].mountPropagation'],
    rule: 'None, HostToContainer or Bidirectional; Bidirectional only for a privileged container',
    check: (v, where) => {
      if (v === undefined) return null;
      if (v !== 'None' && v !== 'HostToContainer' && v !== 'Bidirectional') return { message: 'must be None, HostToContainer or Bidirectional' };
      return v === 'Bidirectional' && !flag(own(where.container, 'securityContext'), 'privileged')
        ? { message: 'Bidirectional is available only to a privileged container (securityContext.privileged: true)' }
        : null;
    },
  },
  {
    at: ['volumeMounts[*]'],
    rule: 'recursiveReadOnly Disabled, Enabled or IfPossible; the last two need readOnly and no mountPropagation but None',
    check: (v) => {
      if (!has(v, 'recursiveReadOnly')) return null;
      const rro = text(v, 'recursiveReadOnly');
      if (rro === 'Disabled') return null;
      if (rro !== 'Enabled' && rro !== 'IfPossible') return { at: '.recursiveReadOnly', message: 'must be Disabled, Enabled or IfPossible' };
      const out: Finding[] = [];
      if (!flag(v, 'readOnly')) out.push({ at: '.recursiveReadOnly', message: 'may only be set when readOnly is true' });
      if (has(v, 'mountPropagation') && text(v, 'mountPropagation') !== 'None') out.push({ at: '.recursiveReadOnly', message: 'may only be set when mountPropagation is None or absent' });
      return out;
    },
  },
  {
    at: ['volumeDevices'],
    rule: "name and devicePath required and unique; devicePath without '..'",
    check: (v) => {
      const seenNames = new Set<string>();
      const seenPaths = new Set<string>();
      const out: Finding[] = [];
      asList(v).forEach((device, i) => {
        const name = text(device, 'name');
        const path = text(device, 'devicePath');
        if (name === '') out.push({ at: `[${i}].name`, message: "required: the name of one of the pod's PersistentVolumeClaim volumes" });
        else if (seenNames.has(name)) out.push({ at: `[${i}].name`, message: 'must be unique' });
        if (path === '') out.push({ at: `[${i}].devicePath`, message: 'required' });
        else if (seenPaths.has(path)) out.push({ at: `[${i}].devicePath`, message: 'must be unique' });
        if (path !== '' && noBacksteps(path) !== null) out.push({ at: `[${i}].devicePath`, message: "must not contain '..'" });
        else seenPaths.add(path);
        if (name !== '') seenNames.add(name);
      });
      return out;
    },
  },

  // Resources (ValidateContainerResourceRequirements, after requests were defaulted from limits and everything rounded up to millis).
  {
    at: ['resources.limits.*', 'resources.requests.*'],
    rule: `resource name: ${RESOURCE_NAME_RULE}`,
    check: (_v, where) => (entryAt(where).kind === 'invalid' ? { message: `not a resource name for containers (${RESOURCE_NAME_RULE})` } : null),
  },
  {
    at: ['resources.limits.*', 'resources.requests.*'],
    rule: 'a valid quantity (apimachinery\'s grammar; exponents within +-1000), not negative',
    check: (v, where) => {
      const { value } = entryAt(where);
      if (value === null) return { message: quantityProblem(v) ?? 'not a valid quantity' };
      return value.negative ? { message: 'must not be negative' } : null;
    },
  },
  {
    at: ['resources.limits.*', 'resources.requests.*'],
    rule: 'extended resources: whole numbers',
    check: (_v, where) => {
      const { kind, value } = entryAt(where);
      if (value === null || kind !== 'extended') return null;
      if (!fitsInt64(value, -3)) return { message: 'too large (an extended resource counts at most 9223372036854775 units)' };
      return value.exp10 < 0 ? { message: 'must be a whole number (an extended resource is counted in units)' } : null;
    },
  },
  {
    at: ['resources.limits.*', 'resources.requests.*'],
    rule: 'hugepages: a page size that is a quantity, and a whole multiple of it',
    check: (_v, where) => {
      const { kind, value, name } = entryAt(where);
      if (value === null || kind !== 'hugepages') return null;
      const page = parseQuantity(hugePageSize(name));
      const pageValue = page === null || page.negative || page.digits === '' || page.exp10 < 0 ? null : wholeValue(page);
      if (pageValue === null || pageValue <= 0n) return { message: `${quoteName(hugePageSize(name))} is not a page size (e.g. hugepages-2Mi, hugepages-1Gi)` };
      if (value.negative) return null;
      const whole = ceilWhole(value);
      if (whole === null) return { message: 'too large (at most 2^63-1 bytes)' };
      return whole % pageValue === 0n ? null : { message: `must be a whole multiple of the page size ${hugePageSize(name)}` };
    },
  },
  {
    at: ['resources.limits.memory', 'resources.requests.memory', 'resources.limits.ephemeral-storage', 'resources.requests.ephemeral-storage'],
    rule: 'warning: a fraction of a byte',
    check: (v, where) => {
      const value = v === undefined ? null : entryAt(where).value;
      return value !== null && value.exp10 < 0
        ? { message: 'not a whole number of bytes; the apiserver accepts it with a warning (write e.g. "512Mi")', warning: true }
        : null;
    },
  },
  {
    at: ['resources'],
    rule: 'request <= limit; extended resources and hugepages: a limit, and request == limit; hugepages need cpu or memory',
    check: (_v, where) => {
      const { requests, limits } = where.resources();
      const out: Finding[] = [];
      for (const request of requests.values()) {
        if (request.kind === 'invalid' || request.value === null) continue;
        const limit = limits.get(request.name);
        const label = keySegment(request.name);
        if (limit === undefined) {
          if (!overcommitted(request.kind)) {
            out.push({ at: `.limits${label}`, message: `required: ${request.kind === 'hugepages' ? 'hugepages' : 'an extended resource'} cannot be overcommitted, set the limit (the request defaults to it)` });
          }
          continue;
        }
        if (limit.value === null || limit.kind === 'invalid') continue;
        const order = compareQuantities(request.value, limit.value);
        if (!overcommitted(request.kind) && order !== 0) {
          out.push({ at: `.requests${label}`, message: `must equal resources.limits${label} (${request.kind === 'hugepages' ? 'hugepages' : 'extended resources'} cannot be overcommitted)` });
        } else if (order > 0) out.push({ at: `.requests${label}`, message: `must be less than or equal to resources.limits${label}` });
      }
      const hugepages = [...requests.keys(), ...limits.keys()].some((name) => name.startsWith('hugepages-'));
      const cpuOrMemory = ['cpu', 'memory'].some((name) => requests.has(name) || limits.has(name));
      if (hugepages && !cpuOrMemory) out.push({ message: 'hugepages need a cpu or memory request or limit as well' });
      return out;
    },
  },
  {
    at: ['resources.claims'],
    rule: 'claims: name required and unique, request a DNS-1123 label, the name one of the pod\'s resourceClaims',
    check: (v, where) => {
      const keys = new Set<string>();
      const claimedWithRequest = new Set<string>();
      const podClaims = where.context.podClaimNames === undefined ? null : new Set(where.context.podClaimNames);
      const out: Finding[] = [];
      asList(v).forEach((claim, i) => {
        const name = text(claim, 'name');
        const request = text(claim, 'request');
        if (name === '') {
          out.push({ at: `[${i}].name`, message: "required: the name of one of the pod's spec.resourceClaims" });
          return;
        }
        if (keys.has(name)) out.push({ at: `[${i}]`, message: `${quoteName(name)} is claimed twice` });
        else {
          if (request !== '' && !isDns1123Label(request)) out.push({ at: `[${i}].request`, message: `${quoteName(request)} must be a DNS-1123 label` });
          const key = request === '' ? name : `${name}/${request}`;
          if (keys.has(key) || (request === '' && claimedWithRequest.has(name))) out.push({ at: `[${i}]`, message: `${quoteName(name)} is claimed twice` });
          keys.add(key);
          const slash = key.indexOf('/');
          if (slash >= 0) claimedWithRequest.add(key.slice(0, slash));
        }
        if (podClaims !== null && !podClaims.has(name)) out.push({ at: `[${i}].name`, message: `${quoteName(name)} must be one of the pod's spec.resourceClaims (${podClaims.size === 0 ? 'it has none' : [...podClaims].slice(0, 10).map((n) => quoteName(n)).join(', ')})` });
      });
      return out;
    },
  },

  // Resize policy (validateResizePolicy; allowed on sidecars since InPlacePodVerticalScaling is on in 1.34).
  {
    at: ['resizePolicy'],
    rule: 'resourceName cpu or memory, once each; restartPolicy NotRequired or RestartContainer (NotRequired in a pod with restartPolicy Never)',
    check: (v, where) => {
      const seen = new Set<string>();
      const out: Finding[] = [];
      asList(v).forEach((policy, i) => {
        const resource = text(policy, 'resourceName');
        const restart = text(policy, 'restartPolicy');
        if (seen.has(resource)) out.push({ at: `[${i}].resourceName`, message: 'listed twice' });
        seen.add(resource);
        if (resource === '') out.push({ at: `[${i}].resourceName`, message: 'required: cpu or memory' });
        else if (resource !== 'cpu' && resource !== 'memory') out.push({ at: `[${i}].resourceName`, message: 'must be cpu or memory' });
        if (restart === '') out.push({ at: `[${i}].restartPolicy`, message: 'required: NotRequired or RestartContainer' });
        else if (restart !== 'NotRequired' && restart !== 'RestartContainer') out.push({ at: `[${i}].restartPolicy`, message: 'must be NotRequired or RestartContainer' });
        if (where.context.podRestartPolicy === 'Never' && restart !== 'NotRequired') out.push({ at: `[${i}].restartPolicy`, message: "must be NotRequired: the pod's restartPolicy is Never" });
      });
      return out;
    },
  },

  // Probes and lifecycle hooks (validateProbe, validateHandler, validateLifecycle, after SetDefaults_Probe and _HTTPGetAction).
  { at: PROBES, rule: 'exactly one handler: exec, httpGet, tcpSocket or grpc', check: oneHandler(['exec', 'httpGet', 'tcpSocket', 'grpc']) },
  { at: HOOKS, rule: 'exactly one handler: exec, httpGet, tcpSocket or sleep', check: oneHandler(['exec', 'httpGet', 'tcpSocket', 'sleep']) },
  { at: under(HANDLERS, 'exec'), rule: 'command required', check: (v) => (v !== undefined && items(v, 'command').length === 0 ? { at: '.command', message: 'required: the command to run, as a list' } : null) },
  { at: [...under(HANDLERS, 'httpGet.port'), ...under(HANDLERS, 'tcpSocket.port')], rule: 'a port 1-65535 or a port name', check: (v) => portNumberOrName(v) },
  { at: under(HANDLERS, 'httpGet.scheme'), rule: 'HTTP or HTTPS (empty: HTTP)', check: (v) => (typeof v === 'string' && v !== '' && v !== 'HTTP' && v !== 'HTTPS' ? { message: 'must be HTTP or HTTPS' } : null) },
  {
    at: under(HANDLERS, 'httpGet.httpHeaders[*].name'),
    rule: 'an HTTP header name: [-A-Za-z0-9]+',
    check: (v) => (typeof v === 'string' && isHttpHeaderName(v) ? null : { message: "must be an HTTP header name (letters, digits and '-')" }),
  },
  { at: under(PROBES, 'grpc.port'), rule: '1-65535', check: (v) => (typeof v === 'number' && v >= 1 && v <= 65535 ? null : { message: v === undefined ? 'required: a port number (1-65535)' : 'must be between 1 and 65535' }) },
  {
    at: PROBES,
    rule: 'initialDelaySeconds, timeoutSeconds, periodSeconds, successThreshold, failureThreshold not negative',
    // Called for every container, most of which have no probes: nothing is built for those.
    check: (v) => (isObject(v) ? PROBE_COUNTS.flatMap((f) => (int(v, f) < 0 ? [{ at: `.${f}`, message: 'must not be negative' }] : [])) : null),
  },
  { at: under(PROBES, 'terminationGracePeriodSeconds'), rule: 'greater than 0 when set', check: (v) => (typeof v === 'number' && v <= 0 ? { message: 'must be greater than 0' } : null) },
  { at: ['readinessProbe.terminationGracePeriodSeconds'], rule: 'not on a readinessProbe', check: (v) => (v === undefined ? null : { message: 'must not be set on a readinessProbe' }) },
  {
    at: ['livenessProbe.successThreshold', 'startupProbe.successThreshold'],
    rule: 'liveness and startup: successThreshold 1 (0: defaulted to 1)',
    check: (v) => (typeof v === 'number' && v !== 0 && v !== 1 ? { message: 'must be 1 for a liveness or startup probe' } : null),
  },
  {
    at: under(HOOKS, 'sleep.seconds'),
    rule: "not negative, at most the pod's terminationGracePeriodSeconds",
    check: (v, where) => {
      const seconds = typeof v === 'number' ? v : 0;
      const grace = where.context.terminationGracePeriodSeconds;
      if (seconds < 0) return { message: 'must not be negative' };
      return grace !== undefined && seconds > grace ? { message: `must be at most the pod's terminationGracePeriodSeconds (${grace})` } : null;
    },
  },
  {
    at: ['lifecycle.stopSignal'],
    rule: 'warning: dropped (feature gate ContainerStopSignals is off in 1.34)',
    check: (v) => (v === undefined ? null : { message: 'dropped by kube-apiserver 1.34 (feature gate ContainerStopSignals is off)', warning: true }),
  },

  // Security context (ValidateSecurityContext).
  { at: ['securityContext.runAsUser', 'securityContext.runAsGroup'], rule: '0-2147483647', check: (v) => (typeof v === 'number' && (v < 0 || v > 2147483647) ? { message: 'must be between 0 and 2147483647' } : null) },
  {
    at: ['securityContext.procMount'],
    rule: 'Default or Unmasked; Unmasked needs the pod\'s hostUsers: false',
    check: (v, where) => {
      if (v === undefined) return null;
      if (v !== 'Default' && v !== 'Unmasked') return { message: 'must be Default or Unmasked' };
      return v === 'Unmasked' && where.context.hostUsers === true ? { message: "Unmasked needs the pod's securityContext.hostUsers: false" } : null;
    },
  },
  {
    at: ['securityContext'],
    rule: 'allowPrivilegeEscalation false conflicts with privileged true and with capabilities.add CAP_SYS_ADMIN',
    check: (v) => {
      if (own(v, 'allowPrivilegeEscalation') !== false) return null;
      const out: Finding[] = [];
      if (flag(v, 'privileged')) out.push({ at: '.allowPrivilegeEscalation', message: 'cannot be false when privileged is true' });
      if (items(own(v, 'capabilities'), 'add').includes('CAP_SYS_ADMIN')) out.push({ at: '.allowPrivilegeEscalation', message: 'cannot be false when capabilities.add has CAP_SYS_ADMIN' });
      return out;
    },
  },
  {
    at: ['securityContext.seccompProfile'],
    rule: 'type Localhost, RuntimeDefault or Unconfined; localhostProfile (relative, no "..") exactly with Localhost',
    check: (v) => {
      if (v === undefined) return null;
      const type = text(v, 'type');
      const out: Finding[] = [];
      if (type === '') out.push({ at: '.type', message: 'required: Localhost, RuntimeDefault or Unconfined' });
      else if (!['Localhost', 'RuntimeDefault', 'Unconfined'].includes(type)) out.push({ at: '.type', message: 'must be Localhost, RuntimeDefault or Unconfined' });
      const profile = own(v, 'localhostProfile');
      if (type === 'Localhost') {
        if (typeof profile !== 'string') out.push({ at: '.localhostProfile', message: 'required when type is Localhost' });
        else {
          const problem = descendingPath(profile);
          if (problem !== null) out.push({ at: '.localhostProfile', message: problem });
        }
      } else if (profile !== undefined) out.push({ at: '.localhostProfile', message: 'may only be set when type is Localhost' });
      return out;
    },
  },
  {
    at: ['securityContext.appArmorProfile'],
    rule: 'type Localhost, RuntimeDefault or Unconfined; localhostProfile (not padded, at most 4095) exactly with Localhost',
    check: (v) => {
      if (v === undefined) return null;
      const type = text(v, 'type');
      const profile = own(v, 'localhostProfile');
      if (type === 'Localhost') {
        if (typeof profile !== 'string' || profile === '') return { at: '.localhostProfile', message: 'required when type is Localhost' };
        const out: Finding[] = [];
        if (goTrimSpace(profile) !== profile) out.push({ at: '.localhostProfile', message: 'must not begin or end with whitespace' });
        else if (goTrimSpace(profile) === '') out.push({ at: '.localhostProfile', message: 'required when type is Localhost' });
        if (Buffer.byteLength(profile) > 4095) out.push({ at: '.localhostProfile', message: 'must be at most 4095 bytes' });
        return out;
      }
      if (type === 'RuntimeDefault' || type === 'Unconfined') return profile === undefined ? null : { at: '.localhostProfile', message: 'may only be set when type is Localhost' };
      return { at: '.type', message: type === '' ? 'required: Localhost, RuntimeDefault or Unconfined' : 'must be Localhost, RuntimeDefault or Unconfined' };
    },
  },
  {
    at: ['securityContext.windowsOptions'],
    rule: 'gmsaCredentialSpecName a DNS-1123 subdomain; gmsaCredentialSpec 1 byte to 64 KiB; runAsUserName [DOMAIN\\]USER; no hostProcess (a pipeline pod is not a Windows HostProcess pod)',
    check: (v) => {
      if (v === undefined) return null;
      const out: Finding[] = [];
      const specName = own(v, 'gmsaCredentialSpecName');
      if (typeof specName === 'string' && !isDns1123Subdomain(specName)) out.push({ at: '.gmsaCredentialSpecName', message: 'must be a DNS-1123 subdomain' });
      const spec = own(v, 'gmsaCredentialSpec');
      if (typeof spec === 'string' && (spec === '' || Buffer.byteLength(spec) > 64 * 1024)) out.push({ at: '.gmsaCredentialSpec', message: 'must be 1 byte to 64 KiB' });
      const user = own(v, 'runAsUserName');
      const problem = typeof user === 'string' ? runAsUserNameProblem(user) : null;
      if (problem !== null) out.push({ at: '.runAsUserName', message: problem });
      if (own(v, 'hostProcess') === true) out.push({ at: '.hostProcess', message: 'a HostProcess container needs a pod whose containers all are HostProcess and that uses hostNetwork; a pipeline pod is not' });
      return out;
    },
  },
];

/** The rules by pattern, in the order patterns first appear: each pattern is walked once for all its rules. */
const BY_PATTERN: ReadonlyArray<{ segments: Segment[]; rules: Rule[]; limit: boolean }> = (() => {
  const groups = new Map<string, { segments: Segment[]; rules: Rule[]; limit: boolean }>();
  for (const rule of RULES) {
    for (const pattern of rule.at) {
      const key = `${rule.limit === true ? 'limit:' : ''}${pattern}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { segments: parsePattern(pattern), rules: [], limit: rule.limit === true }));
      group.rules.push(rule);
    }
  }
  return [...groups.values()];
})();

/** Whether the path, or one holding it, is one the decoder refused (its error says it already). */
function underRefused(path: string, refused: ReadonlySet<string>): boolean {
  if (refused.size === 0) return false;
  if (refused.has(path)) return true;
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if ((code === 46 || code === 91) && refused.has(path.slice(0, i))) return true;
  }
  return false;
}

function record(found: Found, path: string, refused: ReadonlySet<string>, errors: string[], warnings: string[]): number {
  if (found === null) return 0;
  const list: readonly Finding[] = Array.isArray(found) ? found : [found as Finding];
  let added = 0;
  for (const finding of list) {
    const at = `${path}${finding.at ?? ''}`;
    if (underRefused(at, refused)) continue;
    const line = `${at}: ${finding.message}`;
    if (finding.warning === true) warnings.push(line);
    else {
      errors.push(line);
      added++;
    }
  }
  return added;
}

/** Told of every rule that finds something (tests use it to prove each row of the table is exercised). */
export type RuleTrace = (rule: Rule) => void;

function applyRules(
  container: JsonObject,
  path: string,
  refused: ReadonlySet<string>,
  context: ValidationContext,
  earlier: ReadonlyMap<string, number>,
  errors: string[],
  warnings: string[],
  trace?: RuleTrace,
): void {
  let view: ResourceView | null = null;
  // One context object, moved along: the rules read it and keep nothing.
  const where: Where = { path, key: '', parentKey: '', container, context, earlier, resources: () => (view ??= viewResources(container)) };
  let rules: readonly Rule[] = [];
  let added = 0;
  // One visitor per container, not one per pattern: `rules` moves along with the pattern walked.
  const call: Visitor = (value, at, key, parentKey) => {
    where.path = at;
    where.key = key;
    where.parentKey = parentKey;
    for (const rule of rules) {
      const found = rule.check(value, where);
      if (trace !== undefined && found !== null && (!Array.isArray(found) || found.length > 0)) trace(rule);
      added += record(found, at, refused, errors, warnings);
    }
  };
  const run = (limits: boolean): number => {
    added = 0;
    for (const group of BY_PATTERN) {
      if (group.limit !== limits) continue;
      rules = group.rules;
      visit(container, group.segments, 0, path, '', '', call);
    }
    return added;
  };
  if (run(true) > 0) return;
  run(false);
}

function listed(lines: string[], what: string): string[] {
  if (lines.length <= LIMITS.findingsListed) return lines;
  const shown = lines.slice(0, LIMITS.findingsListed);
  shown.push(`... and ${lines.length - LIMITS.findingsListed} more ${what} (limit findingsListed)`);
  return shown;
}

/** Checks every declared container, all of them: a user fixes every mistake in one round trip. */
export function validateContainers(declared: readonly Json[], context: ValidationContext = {}, trace?: RuleTrace): ContainerFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const containers: JsonObject[] = [];
  const earlier = new Map<string, number>();
  declared.forEach((input, index) => {
    const path = `init_containers[${index}]`;
    const shaped = shapeContainer(input, path);
    for (const line of shaped.errors) errors.push(line);
    for (const line of shaped.warnings) warnings.push(line);
    if (shaped.container === null) return;
    containers.push(shaped.container);
    // The apiserver's decoder stops at the first wrong type; we go on, so that every mistake is
    // reported at once, but say nothing more about a value the decoder refused.
    applyRules(shaped.container, path, shaped.refused, context, earlier, errors, warnings, trace);
    const name = shaped.container.name;
    if (typeof name === 'string' && name !== '' && !earlier.has(name)) earlier.set(name, index);
  });
  return { containers, errors: listed(errors, 'errors'), warnings: listed(warnings, 'warnings') };
}
