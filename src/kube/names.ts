// Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation and the core helpers), as
// predicates over strings. Each one checks the length bound first and then reads the string
// once, left to right, with no regular expression: a 256 KB "name" costs one pass and nothing
// can backtrack. Where apimachinery counts bytes (Go's len), these count UTF-16 units: the two
// agree on the ASCII these rules accept, and any non-ASCII character fails them either way.

function isLowerAlnum(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

function isAlnum(code: number): boolean {
  return isLowerAlnum(code) || (code >= 65 && code <= 90);
}

const DASH = 45;
const DOT = 46;
const UNDERSCORE = 95;

/** [a-z0-9]([-a-z0-9]*[a-z0-9])? over text[start, end), without a length bound. */
function isLabelShape(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  if (!isLowerAlnum(text.charCodeAt(start)) || !isLowerAlnum(text.charCodeAt(end - 1))) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const code = text.charCodeAt(i);
    if (!isLowerAlnum(code) && code !== DASH) return false;
  }
  return true;
}

/** IsDNS1123Label: container, volume and port-less names; at most 63 characters. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && isLabelShape(name, 0, name.length);
}

/** IsDNS1123Subdomain: labels joined by '.', at most 253 characters (ConfigMap and Secret names, prefixes). */
export function isDns1123Subdomain(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === DOT) {
      if (!isLabelShape(name, start, i)) return false;
      start = i + 1;
    }
  }
  return true;
}

/** The name part of a qualified name: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63. */
function isQualifiedNamePart(text: string, start: number, end: number): boolean {
  if (end <= start || end - start > 63) return false;
  if (!isAlnum(text.charCodeAt(start)) || !isAlnum(text.charCodeAt(end - 1))) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const code = text.charCodeAt(i);
    if (!isAlnum(code) && code !== DASH && code !== UNDERSCORE && code !== DOT) return false;
  }
  return true;
}

/** IsQualifiedName: [prefix/]name, the prefix a DNS-1123 subdomain (label keys, resource names). */
export function isQualifiedName(value: string): boolean {
  if (value.length > 253 + 1 + 63) return false;
  const slash = value.indexOf('/');
  if (slash < 0) return isQualifiedNamePart(value, 0, value.length);
  if (value.indexOf('/', slash + 1) >= 0) return false;
  return isDns1123Subdomain(value.slice(0, slash)) && isQualifiedNamePart(value, slash + 1, value.length);
}

/**
 * IsValidPortName (IANA_SVC_NAME): at most 15 characters of [-a-z0-9], at least one letter, no
 * '--', not starting or ending with '-'.
 */
export function isPortName(name: string): boolean {
  if (name.length === 0 || name.length > 15) return false;
  if (name.charCodeAt(0) === DASH || name.charCodeAt(name.length - 1) === DASH) return false;
  let letter = false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 97 && code <= 122) letter = true;
    else if (code === DASH) {
      if (name.charCodeAt(i + 1) === DASH) return false;
    } else if (!(code >= 48 && code <= 57)) return false;
  }
  return letter;
}

/**
 * IsRelaxedEnvVarName, the rule since RelaxedEnvironmentVariableValidation (on by default in
 * 1.32, GA in 1.34): not empty, printable ASCII (space included) other than '='. "1ST_VAR" and
 * "my var" are valid.
 */
export function isEnvVarName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 32 || code > 126 || code === 61) return false;
  }
  return true;
}

/** IsConfigMapKey: at most 253 characters of [-._a-zA-Z0-9], not ".", "..", nor starting with "..". */
export function isConfigMapKey(key: string): boolean {
  if (key.length === 0 || key.length > 253) return false;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (!isAlnum(code) && code !== DASH && code !== DOT && code !== UNDERSCORE) return false;
  }
  return key !== '.' && !key.startsWith('..');
}

/** IsHTTPHeaderName: [-A-Za-z0-9]+ (Go's net/http header field names, stricter than RFC 7230). */
export function isHttpHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!isAlnum(code) && code !== DASH) return false;
  }
  return true;
}

/**
 * apimachinery's NameIsDNSSubdomain(name, prefix=true), as ValidateConfigMapName/SecretName are
 * called for envFrom: a trailing '-' is allowed because a suffix may follow. Go's maskTrailingDash
 * replaces the last *two* characters by "a", and that quirk is kept.
 */
export function isDns1123SubdomainPrefix(name: string): boolean {
  const masked = name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
  return isDns1123Subdomain(masked);
}

/** Where a container resource name stands (validateContainerResourceName and the helpers). */
export type ResourceNameKind =
  | 'standard' // cpu, memory, ephemeral-storage
  | 'hugepages' // hugepages-<size>
  | 'native' // <something>kubernetes.io/<name>: accepted, overcommit allowed, not integer
  | 'extended' // <domain>/<name> outside kubernetes.io: integer, never overcommitted
  | 'invalid';

const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
const HUGEPAGES_PREFIX = 'hugepages-';

/**
 * validateContainerResourceName: a qualified name; unprefixed only cpu, memory,
 * ephemeral-storage or hugepages-*; prefixed either in the kubernetes.io namespace or an
 * extended resource ("requests.<name>" must also be a qualified name).
 */
export function resourceNameKind(name: string): ResourceNameKind {
  if (!isQualifiedName(name)) return 'invalid';
  if (!name.includes('/')) {
    if (STANDARD_CONTAINER_RESOURCES.has(name)) return 'standard';
    return name.startsWith(HUGEPAGES_PREFIX) ? 'hugepages' : 'invalid';
  }
  if (name.includes('kubernetes.io/')) return 'native';
  if (name.startsWith('requests.') || !isQualifiedName(`requests.${name}`)) return 'invalid';
  return 'extended';
}

/** The page size text of a hugepages-<size> resource name. */
export function hugePageSize(name: string): string {
  return name.slice(HUGEPAGES_PREFIX.length);
}

/** Go's unicode.IsSpace, as strings.TrimSpace uses it. */
export function isGoSpace(code: number): boolean {
  return (code >= 9 && code <= 13) || code === 32 || code === 0x85 || code === 0xa0 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** Whether Go's strings.TrimSpace would change the text (leading or trailing whitespace). */
export function hasOuterSpace(text: string): boolean {
  return text.length > 0 && (isGoSpace(text.charCodeAt(0)) || isGoSpace(text.charCodeAt(text.length - 1)));
}

/** Whether the text holds whitespace anywhere (Go's unicode.IsSpace). */
export function hasSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isGoSpace(text.charCodeAt(i))) return true;
  return false;
}
