import t from 'tap';
import { compareQuantities, fitsInt64, goTrimSpace, isWholeNumber, parseQuantity, quantityFormat, quantityKey, roundUpToMilli, storedQuantityKey, wholeValue } from '../../src/kube/quantity.js';

// Each row was checked against kube-apiserver 1.34 (a pod with this memory limit, dry run); the
// e2e validation table re-checks the quantity rows of test/pipeline/validation-cases.ts.
t.test('values, including apimachinery quirks', async (t) => {
  const values: [string | number, string][] = [
    ['100m', '1e-1'],
    ['0.1', '1e-1'],
    ['1Gi', '1073741824e0'],
    ['1024Mi', '1073741824e0'],
    ['1e3', '1e3'],
    [1000, '1e3'],
    ['1E3', '1e3'],
    ['1e+3', '1e3'],
    ['1e0001', '1e1'],
    ['1e400', '1e400'],
    ['1.5Ki', '1536e0'],
    ['.5', '5e-1'],
    ['5.', '5e0'],
    ['1.e3', '1e3'],
    ['+1', '1e0'],
    ['-0', '0'],
    ['+', '0'],
    ['.', '0'],
    ['e3', '0'],
    ['m', '0'],
    [' 1', '1e0'],
    ['1Mi ', '1048576e0'],
    ['0.0000000001', '1e-9'],
    ['1e-1000', '1e-9'],
    ['1.0000000001', '1000000001e-9'],
    ['9Ei', '9223372036854775807e0'],
    ['10000Ei', '9223372036854775807e0'],
    ['99999999999999999999999', '99999999999999999999999e0'],
    ['1e1000', '1e1000'],
    [0.5, '5e-1'],
  ];
  for (const [text, key] of values) {
    const q = parseQuantity(text);
    t.strictSame(q === null ? null : quantityKey(q), key, `${JSON.stringify(text)} = ${key}`);
  }
});

t.test('refused like the apiserver refuses them', async (t) => {
  for (const bad of ['lots', '1.2.3', '', '1Kb', '--1', '0x10', '1_000', '1ki', '1e', '1e3Mi', '1mi', '1.5mi', '١', '1 000', '1e99999999999999999999', '1e1001', '1e2147483648', '1e-4294967296', 1e400, 12345678901234567890, null, true, {}, [], Number.NaN, Infinity]) {
    t.strictSame(parseQuantity(bad), null, `${JSON.stringify(bad)} is not a quantity`);
  }
});

t.test('ordering', async (t) => {
  const less: [string, string][] = [
    ['250m', '500m'],
    ['999m', '1'],
    ['1000Mi', '1Gi'],
    ['1G', '1Gi'],
    ['-1', '0'],
    ['-2', '-1'],
    ['4000Mi', '8000Mi'],
    ['1e-10', '2n'],
    ['9Ei', '1e400'],
    ['0.99999', '1'],
  ];
  for (const [a, b] of less) {
    t.strictSame(compareQuantities(parseQuantity(a)!, parseQuantity(b)!), -1, `${a} < ${b}`);
    t.strictSame(compareQuantities(parseQuantity(b)!, parseQuantity(a)!), 1, `${b} > ${a}`);
  }
  for (const [a, b] of [['100m', '0.1'], ['1Ki', '1024'], ['2', '2000m'], ['1e-10', '1e-11'], ['0', '-0'], [2, '2']] as const) {
    t.strictSame(compareQuantities(parseQuantity(a)!, parseQuantity(b)!), 0, `${a} == ${b}`);
  }
});

t.test('whole numbers', async (t) => {
  t.strictSame(['1', '2k', '1Ki', '1000m', '0', '1.0'].map((s) => isWholeNumber(parseQuantity(s)!)), [true, true, true, true, true, true]);
  t.strictSame(['1.5', '500m', '1n', '0.5Ki'].map((s) => isWholeNumber(parseQuantity(s)!)), [false, false, false, true]);
});

t.test('cost is linear in the length: no backtracking, no BigInt', async (t) => {
  // Not a timing assertion: the same answer for a huge input proves it completes; the bench
  // reports the time per KB.
  const digits = '1'.repeat(200_000);
  t.strictSame(parseQuantity(`${digits}x`), null);
  t.strictSame(quantityKey(parseQuantity(`${digits}Ei`)!), '9223372036854775807e0');
  t.strictSame(quantityKey(parseQuantity(digits)!), `${digits}e0`);
});

t.test('the value the apiserver stores: milli precision, rounded up', async (t) => {
  const stored = ['1.0000000001', '1e-10', '1001m', '1', '-1.0001', '0'].map((s) => storedQuantityKey(parseQuantity(s)!));
  t.strictSame(stored, ['1001e-3', '1e-3', '1001e-3', '1e0', '-1001e-3', '0']);
});

t.test('rounded up to millis before validation, as SetDefaults_ResourceList does', async (t) => {
  const rounded = ['1.0004', '1.0001', '0.0000001', '-0.0001', '1.5', '1Ki', '0'].map((s) => quantityKey(roundUpToMilli(parseQuantity(s)!)));
  t.strictSame(rounded, ['1001e-3', '1001e-3', '1e-3', '-1e-3', '15e-1', '1024e0', '0']);
});

t.test('the format a quantity is written in (what apimachinery formats it by)', async (t) => {
  const formats = ['1', '1k', '1m', '1Ki', '0.5Mi', '1e3', '1E3', '1E', '1e-3', ' 2Gi ', 1000, 1e21, 'lots', true].map((s) => quantityFormat(s));
  t.strictSame(formats, ['DecimalSI', 'DecimalSI', 'DecimalSI', 'BinarySI', 'BinarySI', 'DecimalExponent', 'DecimalExponent', 'DecimalSI', 'DecimalExponent', 'BinarySI', 'DecimalSI', null, null, null]);
});

t.test('int64 bounds and whole values', async (t) => {
  t.strictSame(['9223372036854775807', '9223372036854775808', '-9223372036854775807', '9223372036854775.807'].map((s) => fitsInt64(parseQuantity(s)!)), [true, false, true, true]);
  t.strictSame([fitsInt64(parseQuantity('9223372036854775.807')!, -3), fitsInt64(parseQuantity('9223372036854775.808')!, -3)], [true, false]);
  t.strictSame(['2Mi', '0', '-3', '1.5', '1e19'].map((s) => wholeValue(parseQuantity(s)!)), [2097152n, 0n, -3n, null, null]);
});

t.test("Go's TrimSpace", async (t) => {
  t.strictSame(['\t a \n', '\u00a0a\u3000', 'a b', '\u200ba'].map(goTrimSpace), ['a', 'a', 'a b', '\u200ba']);
});
