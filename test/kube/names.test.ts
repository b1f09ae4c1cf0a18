// The linear name predicates against apimachinery's own regular expressions (copied from
// k8s.io/apimachinery/pkg/util/validation/validation.go v0.34.4), on every short string over an
// alphabet that holds each character class the rules tell apart, and on random longer ones.
// The regular expressions run only here, on strings of bounded length.
import t from 'tap';
import {
  hasOuterSpace,
  isConfigMapKey,
  isDns1123Label,
  isDns1123Subdomain,
  isDns1123SubdomainPrefix,
  isEnvVarName,
  isHttpHeaderName,
  isPortName,
  isQualifiedName,
  resourceNameKind,
} from '../../src/kube/names.js';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const QNAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const reference = {
  label: (s: string) => s.length <= 63 && new RegExp(`^${LABEL}$`).test(s),
  subdomain: (s: string) => s.length <= 253 && new RegExp(`^${LABEL}(\\.${LABEL})*$`).test(s),
  qualified: (s: string) => {
    const parts = s.split('/');
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1] ?? '';
    const prefixOk = parts.length === 1 || ((parts[0] ?? '') !== '' && reference.subdomain(parts[0] ?? ''));
    return prefixOk && name.length > 0 && name.length <= 63 && new RegExp(`^${QNAME}$`).test(name);
  },
  port: (s: string) => s.length <= 15 && /^[-a-z0-9]+$/.test(s) && /[a-z]/.test(s) && !s.includes('--') && !s.startsWith('-') && !s.endsWith('-'),
  env: (s: string) => s.length > 0 && [...s].every((r) => (r.codePointAt(0) ?? 0) <= 127 && /\P{C}/u.test(r) && r !== '='),
  configMapKey: (s: string) => s.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(s) && s !== '.' && s !== '..' && !s.startsWith('..'),
  header: (s: string) => /^[-A-Za-z0-9]+$/.test(s),
};

const ALPHABET = ['a', 'z', 'A', '0', '9', '-', '.', '_', '/', '=', ' ', '\t', 'é', '\u007f'];

function* shortStrings(maxLength: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= maxLength; n++) {
    const next: string[] = [];
    for (const prefix of level) for (const c of ALPHABET) next.push(prefix + c);
    yield* next;
    level = next;
  }
}

// A deterministic generator, so a failure names a reproducible input.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomStrings(count: number): string[] {
  const next = random(7);
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() * 300);
    let s = '';
    for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * (next() < 0.8 ? 7 : ALPHABET.length))];
    return s;
  });
}

const pairs: [string, (s: string) => boolean, (s: string) => boolean][] = [
  ['isDns1123Label', isDns1123Label, reference.label],
  ['isDns1123Subdomain', isDns1123Subdomain, reference.subdomain],
  ['isQualifiedName', isQualifiedName, reference.qualified],
  ['isPortName', isPortName, reference.port],
  ['isEnvVarName', isEnvVarName, reference.env],
  ['isConfigMapKey', isConfigMapKey, reference.configMapKey],
  ['isHttpHeaderName', isHttpHeaderName, reference.header],
];

for (const [name, ours, theirs] of pairs) {
  t.test(`${name} agrees with apimachinery's regular expression`, async (t) => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const s of [...shortStrings(4), ...randomStrings(3000)]) {
      checked++;
      if (ours(s) !== theirs(s)) disagreements.push(JSON.stringify(s));
    }
    t.strictSame(disagreements.slice(0, 20), [], `${checked} strings`);
  });
}

t.test('names at their length bounds', async (t) => {
  t.strictSame([isDns1123Label('a'.repeat(63)), isDns1123Label('a'.repeat(64))], [true, false]);
  t.strictSame([isDns1123Subdomain(`${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61)), isDns1123Subdomain('a'.repeat(254))], [true, false]);
  t.strictSame([isQualifiedName(`example.com/${'a'.repeat(63)}`), isQualifiedName(`example.com/${'a'.repeat(64)}`)], [true, false]);
  t.strictSame([isPortName('a'.repeat(15)), isPortName('a'.repeat(16))], [true, false]);
  t.strictSame([isConfigMapKey('k'.repeat(253)), isConfigMapKey('k'.repeat(254))], [true, false]);
});

t.test('a 256 KB name is one pass (no backtracking)', async (t) => {
  const long = `${'a-'.repeat(128 * 1024)}!`;
  t.strictSame([isDns1123Label(long), isDns1123Subdomain(long), isQualifiedName(long), isConfigMapKey(long), isHttpHeaderName(long)], [false, false, false, false, false]);
  t.strictSame(isEnvVarName(`${'a'.repeat(256 * 1024)}=`), false);
  t.strictSame(isEnvVarName('a'.repeat(256 * 1024)), true);
});

t.test('envFrom names may end with a dash (apimachinery masks the last two characters)', async (t) => {
  // "a.-" is masked to "aa": the quirk accepts it, and so does the apiserver.
  t.strictSame(['cm-', 'a-', '-', 'a.-', 'CM-', 'cm', '.-'].map(isDns1123SubdomainPrefix), [true, true, false, true, false, true, true]);
});

t.test('resource names for containers', async (t) => {
  const kinds: [string, string][] = [
    ['cpu', 'standard'],
    ['memory', 'standard'],
    ['ephemeral-storage', 'standard'],
    ['hugepages-2Mi', 'hugepages'],
    ['hugepages-', 'invalid'],
    ['pods', 'invalid'],
    ['storage', 'invalid'],
    ['requests.cpu', 'invalid'],
    ['CPU', 'invalid'],
    ['nvidia.com/gpu', 'extended'],
    ['example.com/GPU', 'extended'],
    ['kubernetes.io/thing', 'native'],
    ['example.kubernetes.io/thing', 'native'],
    ['requests.example.com/gpu', 'invalid'],
    ['example.com/', 'invalid'],
    ['/gpu', 'invalid'],
    ['example.com/a/b', 'invalid'],
    ['__proto__', 'invalid'],
    ['constructor', 'invalid'],
  ];
  t.strictSame(kinds.map(([name]) => [name, resourceNameKind(name)]), kinds);
});

t.test("Go's whitespace at the ends", async (t) => {
  t.strictSame(['a', ' a', 'a\t', '\u00a0a', 'a\u3000', 'a b', '', '\u200ba'].map(hasOuterSpace), [false, true, true, true, true, false, false, false]);
});
