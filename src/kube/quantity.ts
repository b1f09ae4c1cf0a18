// Kubernetes resource quantities ("250m", "1.5Gi", "2e3", 2), read the way apimachinery reads them
// (k8s.io/apimachinery/pkg/api/resource: parseQuantityString, ParseQuantity, UnmarshalJSON), so
// that what the apiserver accepts we accept, and what it refuses we refuse. No maintained npm
// package does this. One pass over the text, no regular expression and no BigInt: a 256 KB
// string of digits costs the same per character as "1".
//
// apimachinery's quirks are kept on purpose: surrounding whitespace is trimmed, "+", "." and
// "e3" are zero, "5." is five, a non-zero value is rounded up (away from zero) to the nearest
// nano, binary-suffixed values are capped at 2^63-1. One difference: exponents beyond +-1000.
//
// A value is kept exactly as sign * digits * 10^exp10 with `digits` free of leading and trailing
// zeros ("" for zero), so comparison is a comparison of strings.

export interface Quantity {
  negative: boolean;
  /** Significant decimal digits, no leading or trailing zeros; "" for zero. */
  digits: string;
  /** Power of ten applied to digits. */
  exp10: number;
  /** The suffix was binary (Ki..Ei): how apimachinery formats it, and where the int64 cap applies. */
  binary: boolean;
}

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_LETTERS = 'eEinumkKMGTP';
const MAX_INT64 = '9223372036854775807';
const NANO = -9;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

// Go's unicode.IsSpace, which strings.TrimSpace uses.
function isSpace(code: number): boolean {
  return (code >= 9 && code <= 13) || code === 32 || code === 0x85 || code === 0xa0 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

function trimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * The exponent after "e": strconv.ParseInt, then bounded. apimachinery cuts it to int32, and
 * kube-apiserver 1.34 never answers for "1e2147483648" (rounding a number with two billion
 * digits), so exponents beyond +-1000 are refused here: 1e400 still passes, as it does there.
 */
export const MAX_EXPONENT = 1000;

function exponentOf(text: string): number | null {
  let i = 0;
  if (text[0] === '+' || text[0] === '-') i = 1;
  if (i >= text.length) return null;
  let value = 0;
  for (let j = i; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (!isDigit(code)) return null;
    value = value * 10 + (code - 48);
    if (value > MAX_EXPONENT) return null;
  }
  return text[0] === '-' ? -value : value;
}

/** digits * factor for a small factor, on decimal digit strings. */
function multiplySmall(digits: string, factor: number): string {
  const out: number[] = [];
  let carry = 0;
  for (let i = digits.length - 1; i >= 0; i--) {
    const product = (digits.charCodeAt(i) - 48) * factor + carry;
    out.push(product % 10);
    carry = Math.floor(product / 10);
  }
  while (carry > 0) {
    out.push(carry % 10);
    carry = Math.floor(carry / 10);
  }
  let text = '';
  for (let i = out.length - 1; i >= 0; i--) text += String(out[i]);
  return text;
}

/** Drops leading zeros; moves trailing zeros into the exponent. */
function normalise(negative: boolean, digits: string, exp10: number, binary: boolean): Quantity {
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === '0') end--;
  const significant = digits.slice(start, end);
  if (significant === '') return { negative: false, digits: '', exp10: 0, binary };
  return { negative, digits: significant, exp10: exp10 + (digits.length - end), binary };
}

/** Increments a digit string by one in its last place. */
function incrementLast(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

/** apimachinery's ParseQuantity on an already trimmed string. */
export function parseQuantityText(str: string): Quantity | null {
  if (str.length === 0) return null;
  const end = str.length;
  let pos = 0;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative: false, digits: '', exp10: 0, binary: false };
  const numStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  const num = str.slice(numStart, pos);
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(str[pos] ?? '')) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return null;
  const suffix = str.slice(suffixStart);

  let exp10 = -denom.length;
  let binaryExponent = 0;
  const decimal = DECIMAL_SUFFIX[suffix];
  const binaryPower = BINARY_SUFFIX[suffix];
  if (Object.hasOwn(DECIMAL_SUFFIX, suffix) && decimal !== undefined) exp10 += decimal;
  else if (Object.hasOwn(BINARY_SUFFIX, suffix) && binaryPower !== undefined) binaryExponent = binaryPower;
  else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exponent = exponentOf(suffix.slice(1));
    if (exponent === null) return null;
    exp10 += exponent;
  } else return null;

  let digits = num + denom;
  // 2^e as at most three multiplications by 2^20, on the digit string.
  for (let left = binaryExponent; left > 0; left -= 20) digits = multiplySmall(digits, 2 ** Math.min(20, left));
  let q = normalise(negative, digits, exp10, binaryExponent > 0);
  if (q.digits === '') return q;
  // Round a non-zero value up (away from zero) to a whole number of nanos.
  if (q.exp10 < NANO) {
    const keep = q.digits.length + q.exp10 - NANO;
    q = keep <= 0 ? { ...q, digits: '1', exp10: NANO } : normalise(q.negative, incrementLast(q.digits.slice(0, keep)), NANO, q.binary);
  }
  if (q.binary && compareMagnitude(q, { negative: false, digits: MAX_INT64, exp10: 0, binary: false }) > 0) {
    q = { ...q, digits: MAX_INT64, exp10: 0 };
  }
  return q;
}

// A bounded memo of short quantity texts: a pure function of its input, so it holds no
// decision, only the parse. Quantities are never mutated by their users.
const MEMO = new Map<string, Quantity | null>();
const MEMO_ENTRIES = 1024;
const MEMO_TEXT_LENGTH = 32;

/**
 * A quantity as it stands in JSON: a string (trimmed like UnmarshalJSON) or a number. A number
 * arrives here already read by JSON.parse, so only values a double holds exactly are taken;
 * 1e400 or a 20-digit integer must be written as strings (null: not a quantity we can read).
 */
export function parseQuantity(input: unknown): Quantity | null {
  if (typeof input === 'string') {
    // The same few quantities ("250m", "512Mi") come in every admission, several times each.
    if (input.length > MEMO_TEXT_LENGTH) return parseQuantityText(trimSpace(input));
    const memo = MEMO.get(input);
    if (memo !== undefined) return memo;
    const parsed = parseQuantityText(trimSpace(input));
    if (MEMO.size >= MEMO_ENTRIES) MEMO.clear();
    MEMO.set(input, parsed);
    return parsed;
  }
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    if (Number.isInteger(input) && !Number.isSafeInteger(input)) return null;
    return parseQuantityText(String(input));
  }
  return null;
}

function compareMagnitude(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.digits === '' || b.digits === '') return a.digits === b.digits ? 0 : a.digits === '' ? -1 : 1;
  const orderA = a.digits.length + a.exp10;
  const orderB = b.digits.length + b.exp10;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  const length = Math.max(a.digits.length, b.digits.length);
  const left = a.digits.padEnd(length, '0');
  const right = b.digits.padEnd(length, '0');
  return left === right ? 0 : left < right ? -1 : 1;
}

/** Sign of a - b: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitude(a, b);
  return a.negative ? ((-magnitude) as -1 | 0 | 1) : magnitude;
}

export function isNegative(q: Quantity): boolean {
  return q.negative;
}

/** A whole number (apimachinery: MilliValue() % 1000 == 0, for integer-only resources). */
export function isWholeNumber(q: Quantity): boolean {
  return q.exp10 >= 0;
}

/** The exact value as one string, equal for equal values ("1Ki" and "1024" alike). */
export function quantityKey(q: Quantity): string {
  if (q.digits === '') return '0';
  return `${q.negative ? '-' : ''}${q.digits}e${q.exp10}`;
}

const MILLI = -3;

/**
 * The value as the apiserver stores it: serialised quantities keep at most milli precision, a
 * finer value rounded up ("1.0000000001" is stored as "1001m"). Two quantities with the same
 * stored key are the same field once the pod has been through the apiserver.
 */
export function storedQuantityKey(q: Quantity): string {
  if (q.digits === '' || q.exp10 >= MILLI) return quantityKey(q);
  const keep = q.digits.length + q.exp10 - MILLI;
  const rounded = keep <= 0 ? { ...q, digits: '1', exp10: MILLI } : normalise(q.negative, incrementLast(q.digits.slice(0, keep)), MILLI, q.binary);
  return quantityKey(rounded);
}

/**
 * The value after the apiserver's SetDefaults_ResourceList: rounded up (away from zero) to a
 * whole number of millis. Validation of requests and limits runs on this value, so "0.0001" of
 * memory is 1m by then and a request of 1.0004 equals a limit of 1.0001.
 */
export function roundUpToMilli(q: Quantity): Quantity {
  if (q.digits === '' || q.exp10 >= MILLI) return q;
  const keep = q.digits.length + q.exp10 - MILLI;
  return keep <= 0 ? { ...q, digits: '1', exp10: MILLI } : normalise(q.negative, incrementLast(q.digits.slice(0, keep)), MILLI, q.binary);
}

/** How apimachinery will format a quantity (its Format): by the suffix it was written with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * The format of a quantity as written (null when it is not one): a binary suffix (Ki..Ei) is
 * BinarySI, an exponent ("1e3", "1E-3") DecimalExponent, anything else (no suffix, m, k, M, E...)
 * DecimalSI. A JSON number arrives as the text String(n) gives, as JSON.parse left it.
 */
export function quantityFormat(input: unknown): QuantityFormat | null {
  if (parseQuantity(input) === null) return null;
  const text = typeof input === 'number' ? String(input) : trimSpace(String(input));
  // The number part holds only a sign, digits and '.': the suffix begins at the first letter.
  let suffixStart = text.length;
  for (let i = 0; i < text.length; i++) {
    if (SUFFIX_LETTERS.includes(text[i] ?? '')) {
      suffixStart = i;
      break;
    }
  }
  const suffix = text.slice(suffixStart);
  if (Object.hasOwn(BINARY_SUFFIX, suffix)) return 'BinarySI';
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) return 'DecimalExponent';
  return 'DecimalSI';
}

/** Whether |q| is at most 2^63-1 units of 10^exp10 (what apimachinery's int64 accessors can hold). */
export function fitsInt64(q: Quantity, exp10 = 0): boolean {
  if (q.digits === '') return true;
  return compareMagnitude(q, { negative: false, digits: MAX_INT64, exp10, binary: false }) <= 0;
}

/** The value as an integer when it is whole and fits an int64 (at most 19 digits: BigInt costs nothing here); null otherwise. */
export function wholeValue(q: Quantity): bigint | null {
  if (q.digits === '') return 0n;
  if (q.exp10 < 0 || !fitsInt64(q)) return null;
  const magnitude = BigInt(q.digits) * 10n ** BigInt(q.exp10);
  return q.negative ? -magnitude : magnitude;
}

/** Go's strings.TrimSpace (unicode.IsSpace at both ends). */
export function goTrimSpace(text: string): string {
  return trimSpace(text);
}
