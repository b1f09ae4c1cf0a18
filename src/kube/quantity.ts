// Kubernetes resource quantities ("250m", "1.5Gi", "2e3", 2), parsed exactly. No maintained npm
// package does this, so it is written here against apimachinery's grammar:
//   quantity := [+-] number suffix;  number := digits | digits.digits | digits. | .digits
//   suffix   := Ki|Mi|Gi|Ti|Pi|Ei | m|k|M|G|T|P|E | "" | (e|E)[+-]digits
// A value is kept as mantissa * 10^exp10 * 2^exp2 with a BigInt mantissa, so comparisons are exact
// (no float rounding between "0.1" and "100m").

export interface Quantity {
  /** Signed integer mantissa. */
  mantissa: bigint;
  exp10: number;
  exp2: number;
}

const PATTERN = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// apimachinery clamps huge exponents; we refuse them instead of computing 10^1000000 BigInts.
const MAX_EXPONENT = 100;

/** Parses a quantity given as a string, or as a JSON number (the apiserver accepts both). */
export function parseQuantity(input: unknown): Quantity | null {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return null;
  }
  const match = PATTERN.exec(text);
  if (match === null) return null;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (suffix in BINARY) exp2 = BINARY[suffix] ?? 0;
  else if (suffix in DECIMAL) exp10 += DECIMAL[suffix] ?? 0;
  else if (suffix !== '') {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return null;
    exp10 += exponent;
  }
  const digits = BigInt((whole + fraction).replace(/^0+(?=\d)/, '') || '0');
  return { mantissa: sign === '-' ? -digits : digits, exp10, exp2 };
}

/** Sign of a - b: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const e10 = Math.min(a.exp10, b.exp10);
  const e2 = Math.min(a.exp2, b.exp2);
  const scale = (q: Quantity): bigint => q.mantissa * 10n ** BigInt(q.exp10 - e10) * 2n ** BigInt(q.exp2 - e2);
  const left = scale(a);
  const right = scale(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function isNegative(q: Quantity): boolean {
  return q.mantissa < 0n;
}
