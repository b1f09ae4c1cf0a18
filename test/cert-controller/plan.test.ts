import t from 'tap';
import { planCertificates, type CertificatePlan } from '../../src/cert-controller/plan.js';
import { issueAuthorityAndServing } from '../../src/cert-controller/issue.js';
import type { V1Secret } from '@kubernetes/client-node';
import { DAY_MS, must, pems, renewedPems, secretWith, testPolicy } from './fixtures.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface Row {
  name: string;
  secret: () => V1Secret | null;
  /** Days after now the plan is made. */
  atDay?: number;
  policy?: Parameters<typeof testPolicy>[0];
  action: CertificatePlan['action'];
  reason?: RegExp;
  servable?: boolean;
}

const other = (): ReturnType<typeof pems> => must(issueAuthorityAndServing(testPolicy({ caCommonName: 'another CA' })));

const rows: Row[] = [
  { name: 'no Secret: create', secret: () => null, action: 'create', reason: /does not exist/ },
  { name: 'fresh certificate: use', secret: () => secretWith(pems()), action: 'use' },
  { name: 'just before the renewal window: use', secret: () => secretWith(pems()), atDay: 7.9, action: 'use' },
  {
    name: 'inside renewBeforeDays: renew, still servable',
    secret: () => secretWith(pems()),
    atDay: 8.5,
    action: 'renew',
    reason: /within certificates.renewBeforeDays \(2\)/,
    servable: true,
  },
  { name: 'expired: renew, not servable', secret: () => secretWith(pems()), atDay: 11, action: 'renew', reason: /expired at/, servable: false },
  {
    name: 'renewBeforeDays >= validityDays: renew at once',
    secret: () => secretWith(pems()),
    policy: { renewBeforeDays: 10 },
    action: 'renew',
    servable: true,
  },
  {
    name: 'a host the certificate lacks (service renamed): renew',
    secret: () => secretWith(pems()),
    policy: { hosts: [...testPolicy().hosts, 'injector.example.com'] },
    action: 'renew',
    reason: /does not cover injector\.example\.com/,
    servable: true,
  },
  {
    name: 'serving certificate from another CA: renew',
    secret: () => {
      const foreign = other();
      return secretWith({ ...pems(), tlsCert: foreign.tlsCert, tlsKey: foreign.tlsKey });
    },
    action: 'renew',
    reason: /not signed by ca\.crt/,
    servable: false,
  },
  { name: 'tls.key missing: renew', secret: () => secretWith({ ...pems(), tlsKey: '' }), action: 'renew', reason: /tls\.key is missing/ },
  {
    name: 'tls.key of another certificate: renew',
    secret: () => secretWith({ ...pems(), tlsKey: renewedPems().tlsKey }),
    action: 'renew',
    reason: /tls\.key does not belong to tls\.crt/,
  },
  { name: 'ca.key missing: recreate', secret: () => secretWith({ ...pems(), caKey: '' }), action: 'recreate', reason: /ca\.key is missing/ },
  {
    name: 'ca.key of another CA: recreate',
    secret: () => secretWith({ ...pems(), caKey: other().caKey }),
    action: 'recreate',
    reason: /ca\.key does not belong to ca\.crt/,
  },
  {
    name: 'ca.crt is not a CA (someone stored a leaf there): recreate',
    secret: () => secretWith({ ...pems(), caCert: pems().tlsCert, caKey: pems().tlsKey }),
    action: 'recreate',
    reason: /not a CA certificate/,
  },
  {
    name: 'garbage in ca.crt: recreate',
    secret: () => ({ ...secretWith(pems()), data: { ...secretWith(pems()).data, 'ca.crt': b64('not a certificate') } }),
    action: 'recreate',
    reason: /ca\.crt is not a PEM certificate/,
  },
  { name: 'empty Secret (created by hand): recreate', secret: () => ({ metadata: { resourceVersion: '9' } }), action: 'recreate' },
  { name: 'CA about to expire: recreate', secret: () => secretWith(pems()), atDay: 3649, action: 'recreate', reason: /its CA expires at/ },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const now = new Date(Date.now() + (row.atDay ?? 0) * DAY_MS);
    const plan = planCertificates(row.secret(), now, testPolicy(row.policy));
    t.equal(plan.action, row.action);
    if (row.reason !== undefined) t.match('reason' in plan ? plan.reason : '', row.reason);
    if (row.servable !== undefined && plan.action === 'renew') t.equal(plan.servable !== null, row.servable, 'servable');
    if (plan.action === 'renew' || plan.action === 'use') t.equal(plan.ca.cert, pems().caCert, 'keeps the stored CA');
    if (plan.action !== 'create') t.ok(plan.resourceVersion !== undefined, 'carries the resourceVersion for the conditional write');
  });
}

t.test('use returns the stored PEM and facts, with the resourceVersion', async (t) => {
  const plan = planCertificates(secretWith(pems(), '42'), new Date(), testPolicy());
  if (plan.action !== 'use') throw new Error(plan.action);
  t.equal(plan.resourceVersion, '42');
  t.equal(plan.serving.cert, pems().tlsCert);
  t.equal(plan.serving.key, pems().tlsKey);
  t.ok(plan.serving.facts.notAfter.getTime() > Date.now() + 9 * DAY_MS);
  t.same(plan.serving.facts.hosts, testPolicy().hosts, 'SANs normalised (::1, not 0:0:0:0:0:0:0:1)');
});
