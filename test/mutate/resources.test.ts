import t from 'tap';
import { fillResources } from '../../src/mutate/resources.js';
import { DEFAULT_CONFIG } from '../../src/config/config.js';
import type { Json } from '../../src/json.js';

const defaults = DEFAULT_CONFIG.sidecars.defaultResources; // 250m/256Mi requests, 500m/512Mi limits

const cases: [string, Json | undefined, Json][] = [
  ['nothing given: all defaults', undefined, { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } }],
  ['everything given: untouched', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }, { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }],
  ['request above default limit: filled limit raised to it', { requests: { cpu: '1' } }, { requests: { cpu: '1', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }],
  ['limit below default request: filled request lowered to it', { limits: { memory: '128Mi' } }, { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '128Mi', cpu: '500m' } }],
  ['request between: defaults kept', { requests: { cpu: '300m' } }, { requests: { cpu: '300m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } }],
  ['numeric quantities compare as quantities', { requests: { cpu: 2 } }, { requests: { cpu: 2, memory: '256Mi' }, limits: { cpu: 2, memory: '512Mi' } }],
  ['empty resources object', {}, { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } }],
];

for (const [what, given, expected] of cases) {
  t.test(what, async (t) => {
    const before = JSON.stringify(given);
    t.strictSame(fillResources(given, defaults), expected);
    t.equal(JSON.stringify(given), before, 'the declared resources are not modified');
  });
}

t.test('custom defaults with only some fields', async (t) => {
  t.strictSame(fillResources({ limits: { cpu: '100m' } }, { requests: { cpu: '200m' }, limits: {} }), { requests: { cpu: '100m' }, limits: { cpu: '100m' } });
});
