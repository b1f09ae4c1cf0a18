// Image allow-list patterns: '*' matches any run of characters (slashes included), '?' exactly one,
// everything else literally, like Kyverno's wildcards. "registry.example.com/*" allows every image
// of that registry; "ubuntu:24.04" exactly that one.
//
// No regular expression: a pattern such as "registry.example.com/*/*/*:stable" compiled to
// /^...(.*)\/(.*)\/(.*):stable$/ backtracks cubically over a long image. Here the pattern is cut
// at its stars into literal segments (with '?'); the first must match at the start, the last at
// the end, and each one between at its leftmost place after the previous. Leftmost is always
// right, because a star can absorb whatever a later placement would skip. Each segment scans the
// image once, so the cost is at most image length x pattern length, and the pattern is the
// platform's own configuration, not user input.

function segmentMatchesAt(image: string, at: number, segment: string): boolean {
  if (at + segment.length > image.length) return false;
  for (let i = 0; i < segment.length; i++) {
    const p = segment.charCodeAt(i);
    if (p !== 63 /* ? */ && p !== image.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost index in [from, end - segment.length] where segment matches, or -1. */
function findSegment(image: string, from: number, end: number, segment: string): number {
  for (let at = from; at + segment.length <= end; at++) if (segmentMatchesAt(image, at, segment)) return at;
  return -1;
}

export function wildcardMatch(pattern: string, text: string): boolean {
  const segments = pattern.split('*');
  const first = segments[0] ?? '';
  if (segments.length === 1) return first.length === text.length && segmentMatchesAt(text, 0, first);
  const last = segments[segments.length - 1] ?? '';
  if (first.length + last.length > text.length) return false;
  if (!segmentMatchesAt(text, 0, first) || !segmentMatchesAt(text, text.length - last.length, last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    if (segment === '') continue;
    const found = findSegment(text, at, end, segment);
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}

export function imageAllowed(image: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => wildcardMatch(pattern, image));
}
