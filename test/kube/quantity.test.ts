import t from 'tap';
import { compareQuantities, parseQuantity } from '../../src/kube/quantity.js';

t.test('equal quantities written differently compare equal', async (t) => {
  const equal: [string | number, string | number][] = [
    ['100m', '0.1'],
    ['1Gi', '1024Mi'],
    ['1G', '1000M'],
    ['2', '2000m'],
    ['1e3', '1k'],
    [2, '2'],
    ['.5', '500m'],
    ['1Ki', '1024'],
    ['5.', '5'],
    ['+1', '1'],
    ['0.001', '1m'],
  ];
  for (const [a, b] of equal) {
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    t.ok(qa && qb, `${a} and ${b} parse`);
    if (qa && qb) t.equal(compareQuantities(qa, qb), 0, `${a} == ${b}`);
  }
});

t.test('ordering', async (t) => {
  const less: [string, string][] = [
    ['250m', '500m'],
    ['999m', '1'],
    ['1000Mi', '1Gi'],
    ['1G', '1Gi'],
    ['-1', '0'],
    ['4000Mi', '8000Mi'],
  ];
  for (const [a, b] of less) {
    t.equal(compareQuantities(parseQuantity(a)!, parseQuantity(b)!), -1, `${a} < ${b}`);
    t.equal(compareQuantities(parseQuantity(b)!, parseQuantity(a)!), 1, `${b} > ${a}`);
  }
});

t.test('invalid quantities are refused', async (t) => {
  for (const bad of ['lots', '1.2.3', '', '1Kb', '--1', '1e1000', ' 1', '1 ', 'm', 'Mi', '1.5mi', null, true, {}, [], Number.NaN, Infinity]) {
    t.equal(parseQuantity(bad), null, `${JSON.stringify(bad)} is not a quantity`);
  }
});
