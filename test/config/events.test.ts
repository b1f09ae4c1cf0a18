// The events section of the configuration: defaults, accepted values, refusals with the path.
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';

t.test('defaults', async (t) => {
  const loaded = loadConfig({});
  t.strictSame(loaded.ok ? loaded.value.events : null, { mode: 'auto', queueSize: 1000, seriesWindowSeconds: 360 });
});

const rows: Array<[string, string[], string | null]> = [
  ['mode on', ['events.mode=on'], null],
  ['mode off', ['events.mode=off'], null],
  ['an unknown mode', ['events.mode=sometimes'], 'events.mode: must be one of auto, on, off'],
  ['a boolean mode', ['events.mode=true'], 'events.mode: must be a string'],
  ['queue of 0', ['events.queueSize=0'], 'events.queueSize: must be a whole number 1-100000'],
  ['queue too large', ['events.queueSize=1000000'], 'events.queueSize: must be a whole number 1-100000'],
  ['window of 0', ['events.seriesWindowSeconds=0'], 'events.seriesWindowSeconds: must be above 0 and at most 3600'],
  ['a typo', ['events.enabled=true'], 'events.enabled: unknown setting'],
];
for (const [what, sets, error] of rows) {
  t.test(what, async (t) => {
    const loaded = loadConfig({ sets });
    t.strictSame(loaded.ok ? null : loaded.error.message.includes(error ?? '(none)') ? error : loaded.error.message, error);
  });
}
