// The aggregation state machine: create, then series patches within the window, a new Event after it.
import t from 'tap';
import { EventSeries, seriesKey, type EventWrite } from '../../src/events/series.js';
import type { PlannedEvent } from '../../src/events/planned-event.js';

const event = (name: string, note = 'pod x refused: no'): PlannedEvent => ({
  regarding: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'ns', name, uid: `uid-${name}` },
  reason: 'SidecarInjectionDenied',
  type: 'Warning',
  action: 'Deny',
  note,
  reportingInstance: `${name}-0`,
});
const shape = (w: EventWrite): unknown => (w.kind === 'create' ? ['create', w.name.split('.')[0]] : ['patch', w.count, w.lastObservedMs]);

const WINDOW = 360_000;
const rows: Array<[string, Array<[PlannedEvent, number]>, unknown[]]> = [
  ['first occurrence creates', [[event('a'), 0]], [['create', 'a']]],
  [
    'repeats within the window patch the series with a growing count',
    [[event('a'), 0], [event('a'), 1000], [event('a'), 5000]],
    [['create', 'a'], ['patch', 2, 1000], ['patch', 3, 5000]],
  ],
  ['the window counts from the last occurrence', [[event('a'), 0], [event('a'), WINDOW], [event('a'), 2 * WINDOW]], [['create', 'a'], ['patch', 2, WINDOW], ['patch', 3, 2 * WINDOW]]],
  ['after the window: a new Event', [[event('a'), 0], [event('a'), WINDOW + 1]], [['create', 'a'], ['create', 'a']]],
  ['another note is another Event', [[event('a'), 0], [event('a', 'other'), 1]], [['create', 'a'], ['create', 'a']]],
  ['another StatefulSet is another Event', [[event('a'), 0], [event('b'), 1], [event('a'), 2]], [['create', 'a'], ['create', 'b'], ['patch', 2, 2]]],
];

for (const [what, steps, expected] of rows) {
  t.test(what, async (t) => {
    const cache = new EventSeries(10, WINDOW);
    t.strictSame(steps.map(([e, at]) => shape(cache.next(e, at))), expected);
  });
}

t.test('patches name the Event the series started with; new Events get new names', async (t) => {
  const cache = new EventSeries(10, WINDOW);
  const first = cache.next(event('a'), 0);
  const second = cache.next(event('a'), 1);
  t.strictSame(second.name, first.name);
  const other = new EventSeries(10, WINDOW);
  const names = new Set(Array.from({ length: 50 }, () => other.next(event('a'), 5).name && other.next(event('a'), 5 + WINDOW * 2).name));
  t.strictSame(names.size, 50, 'unique names even within one millisecond');
  t.ok(first.name.startsWith('a.'), 'client-go style: <regarding name>.<hex>');
});

t.test('forget(): the next occurrence starts a new Event', async (t) => {
  const cache = new EventSeries(10, WINDOW);
  const first = cache.next(event('a'), 0);
  cache.forget(first.key);
  t.strictSame(shape(cache.next(event('a'), 1)), ['create', 'a']);
});

t.test('the cache is a bounded LRU', async (t) => {
  const cache = new EventSeries(2, WINDOW);
  cache.next(event('a'), 0);
  cache.next(event('b'), 1);
  cache.next(event('a'), 2); // a is now the most recent
  cache.next(event('c'), 3); // evicts b
  t.strictSame(cache.size, 2);
  t.strictSame(shape(cache.next(event('a'), 4)), ['patch', 3, 4], 'a kept');
  t.strictSame(shape(cache.next(event('b'), 5)), ['create', 'b'], 'b evicted: a new Event');
});

t.test('keys cannot be forged by separators in names', async (t) => {
  t.not(seriesKey(event('a","b')), seriesKey({ ...event('a'), note: 'b' }));
  t.strictSame(seriesKey(event('a')), seriesKey(event('a')));
});

t.test('a long StatefulSet name still gives a valid Event name length', async (t) => {
  const cache = new EventSeries(2, WINDOW);
  t.ok(cache.next(event('x'.repeat(253)), Date.now()).name.length <= 253);
});
