// Container image references as the apiserver reads them to default imagePullPolicy
// (pkg/util/parsers.ParseImageName over distribution's reference.ParseNormalizedNamed): "latest"
// when no tag and no digest is given, Always for "latest", IfNotPresent otherwise, also when the
// reference does not parse. A linear scan, no regular expression.

export interface ImageReference {
  tag: string;
  digest: string;
}

const MAX_NAME_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

function isLowerAlnum(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

function isAlnum(code: number): boolean {
  return isLowerAlnum(code) || (code >= 65 && code <= 90);
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

/** path-component := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
function isPathComponent(text: string): boolean {
  if (text === '' || !isLowerAlnum(text.charCodeAt(0)) || !isLowerAlnum(text.charCodeAt(text.length - 1))) return false;
  let i = 0;
  while (i < text.length) {
    if (isLowerAlnum(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && !isLowerAlnum(text.charCodeAt(i))) i++;
    const separator = text.slice(start, i);
    if (!(separator === '.' || separator === '_' || separator === '__' || /^-+$/.test(separator))) return false;
  }
  return true;
}

/** domain := host [":" port]; host := components of [a-zA-Z0-9-] joined by "." (or [IPv6]). */
function isDomain(text: string): boolean {
  let host = text;
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && !text.endsWith(']')) {
    const port = text.slice(colon + 1);
    if (port === '' || ![...port].every((c) => c >= '0' && c <= '9')) return false;
    host = text.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) return [...host.slice(1, -1)].every((c) => isHex(c.charCodeAt(0)) || c === ':' || c === '.');
  return host.split('.').every((part) => {
    if (part === '' || !isAlnum(part.charCodeAt(0)) || !isAlnum(part.charCodeAt(part.length - 1))) return false;
    return [...part].every((c) => isAlnum(c.charCodeAt(0)) || c === '-');
  });
}

function isTag(text: string): boolean {
  if (text === '' || text.length > MAX_TAG_LENGTH) return false;
  const word = (c: string): boolean => isAlnum(c.charCodeAt(0)) || c === '_';
  return word(text[0] ?? '') && [...text].every((c) => word(c) || c === '.' || c === '-');
}

/** algorithm ":" encoded, e.g. sha256:<64 hex>. */
function isDigest(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon <= 0) return false;
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const algorithmOk = algorithm.split(/[+._-]/).every((part) => part !== '' && [...part].every((c) => isLowerAlnum(c.charCodeAt(0))));
  return algorithmOk && encoded.length >= 32 && [...encoded].every((c) => isHex(c.charCodeAt(0)));
}

/** Tag and digest of a reference, or null when the apiserver's parser would refuse it. */
export function parseImageReference(image: string): ImageReference | null {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) return null;
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag)) return null;
  }
  if (rest === '' || rest.length > MAX_NAME_LENGTH) return null;
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  // Like docker: the first part is a registry only when it looks like one.
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !isDomain(first)) return null;
  const path = hasDomain ? parts.slice(1) : parts;
  if (!path.every(isPathComponent)) return null;
  // A bare 64-hex name would be mistaken for an image id.
  if (!hasDomain && path.length === 1 && /^[a-f0-9]{64}$/.test(path[0] ?? '')) return null;
  return { tag: tag === '' && digest === '' ? 'latest' : tag, digest };
}

// A bounded memo: the same images come in every admission, and the answer is a pure function of the text.
const PULL_POLICY_MEMO = new Map<string, 'Always' | 'IfNotPresent'>();
const MEMO_ENTRIES = 1024;

/** The imagePullPolicy kube-apiserver gives a container that sets none. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const memo = PULL_POLICY_MEMO.get(image);
  if (memo !== undefined) return memo;
  const policy = parseImageReference(image)?.tag === 'latest' ? 'Always' : 'IfNotPresent';
  if (image.length <= 512) {
    if (PULL_POLICY_MEMO.size >= MEMO_ENTRIES) PULL_POLICY_MEMO.clear();
    PULL_POLICY_MEMO.set(image, policy);
  }
  return policy;
}
