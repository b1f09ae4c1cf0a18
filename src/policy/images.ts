// Image allow-list patterns: '*' matches any run of characters (slashes included), '?' one
// character, everything else literally, like Kyverno's wildcards. "registry.example.com/*" allows
// every image of that registry; "ubuntu:24.04" exactly that one.
const compiled = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    compiled.set(pattern, re);
  }
  return re;
}

export function imageAllowed(image: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => toRegExp(pattern).test(image));
}
