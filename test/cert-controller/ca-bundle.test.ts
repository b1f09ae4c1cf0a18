import t from 'tap';
import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { caBundleNeedsRepair, caBundlePatch, encodeCaBundle, staleWebhooks } from '../../src/cert-controller/ca-bundle.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const OTHER = '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n';

function configuration(...bundles: (string | undefined)[]): V1MutatingWebhookConfiguration {
  return {
    metadata: { name: 'feldera-sidecar-injector' },
    webhooks: bundles.map((caBundle, i) => ({
      name: `hook-${i}.feldera.com`,
      clientConfig: caBundle === undefined ? { url: 'https://127.0.0.1/mutate' } : { caBundle },
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
    })),
  };
}

const rows: { name: string; bundles: (string | undefined)[]; stale: number[] }[] = [
  { name: 'absent caBundle', bundles: [undefined], stale: [0] },
  { name: 'blank caBundle (what `helm upgrade` renders)', bundles: [''], stale: [0] },
  { name: 'another CA', bundles: [encodeCaBundle(OTHER)], stale: [0] },
  { name: 'our CA', bundles: [encodeCaBundle(CA)], stale: [] },
  { name: 'our CA with CRLF line ends and no final newline', bundles: [encodeCaBundle(CA.replace(/\n/g, '\r\n').trim())], stale: [] },
  { name: 'our CA plus another (a bundle we do not own as such)', bundles: [encodeCaBundle(CA + OTHER)], stale: [0] },
  { name: 'several webhooks, only the differing ones', bundles: [encodeCaBundle(CA), '', encodeCaBundle(OTHER)], stale: [1, 2] },
  { name: 'no webhooks at all', bundles: [], stale: [] },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const config = configuration(...row.bundles);
    t.same(staleWebhooks(config, CA).map((w) => w.index), row.stale);
    t.equal(caBundleNeedsRepair(config, CA), row.stale.length > 0);
    const patch = caBundlePatch(config, CA);
    t.same(
      patch,
      row.stale.flatMap((i) => [
        { op: 'test', path: `/webhooks/${i}/name`, value: `hook-${i}.feldera.com` },
        { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: encodeCaBundle(CA) },
      ]),
      'each add is guarded by a test of the webhook name at that index',
    );
  });
}

t.test('the caBundle is the base64 of the CA PEM', async (t) => {
  t.equal(Buffer.from(encodeCaBundle(CA), 'base64').toString('utf8'), CA);
});
