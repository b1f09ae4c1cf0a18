import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { syncSecret } from '../../src/cert-controller/secret-sync.js';
import { FakeApi } from './fake-api.js';
import { DAY_MS, must, pems, secretWith, testPolicy } from './fixtures.js';

t.test('no Secret: creates a kubernetes.io/tls Secret with a CA and a serving certificate for the Service names', async (t) => {
  const api = new FakeApi();
  const state = must(await syncSecret(api, testPolicy(), new Date()));
  t.equal(state.event, 'created');
  t.equal(api.secret?.type, 'kubernetes.io/tls');
  t.same(Object.keys(api.secret?.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  const cert = new X509Certificate(api.secretText('tls.crt'));
  const ca = new X509Certificate(api.secretText('ca.crt'));
  t.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
  t.equal(
    cert.subjectAltName,
    'DNS:feldera-sidecar-injector, DNS:feldera-sidecar-injector.webhook-system, DNS:feldera-sidecar-injector.webhook-system.svc, ' +
      'DNS:feldera-sidecar-injector.webhook-system.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  );
  const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
  t.ok(days > 9.9 && days <= 10, `serving certificate valid validityDays (10), got ${days}`);
  t.ok((Date.parse(ca.validTo) - Date.now()) / DAY_MS > 3649, 'the CA lives ten years');
  t.equal(state.serving.cert, api.secretText('tls.crt'));
  t.equal(state.resourceVersion, api.secret?.metadata?.resourceVersion);
});

t.test('two replicas starting at once: one creates, the other adopts the same certificate', async (t) => {
  const api = new FakeApi();
  const [a, b] = await Promise.all([syncSecret(api, testPolicy(), new Date()), syncSecret(api, testPolicy(), new Date())]);
  const events = [must(a).event, must(b).event].sort();
  t.same(events, ['adopted', 'created']);
  t.equal(api.count('createSecret'), 2, 'both tried');
  t.equal(must(a).serving.facts.fingerprint256, must(b).serving.facts.fingerprint256, 'same serving certificate');
  t.equal(must(a).serving.cert, api.secretText('tls.crt'));
});

t.test('a valid Secret is used as it is, nothing written', async (t) => {
  const api = new FakeApi();
  api.secret = secretWith(pems());
  const state = must(await syncSecret(api, testPolicy(), new Date()));
  t.equal(state.event, 'used');
  t.equal(state.serving.cert, pems().tlsCert);
  t.equal(api.count('createSecret') + api.count('replaceSecret'), 0);
});

t.test('due for renewal: a new serving certificate from the same CA, written with the resourceVersion', async (t) => {
  const api = new FakeApi();
  api.secret = secretWith(pems(), '7');
  const state = must(await syncSecret(api, testPolicy(), new Date(Date.now() + 9 * DAY_MS)));
  t.equal(state.event, 'renewed');
  t.match(state.reason, /within certificates.renewBeforeDays/);
  t.not(api.secretText('tls.crt'), pems().tlsCert, 'new serving certificate');
  t.equal(api.secretText('ca.crt'), pems().caCert, 'same CA');
  t.equal(api.secretText('ca.key'), pems().caKey, 'same CA key');
  t.not(state.resourceVersion, '7');
});

t.test('renewal race: the loser re-reads and takes the winner\'s certificate even if by its settings it is due', async (t) => {
  const api = new FakeApi();
  api.secret = secretWith(pems(), '1');
  // Every check renews (renewBeforeDays >= validityDays): without the race rule the loser would renew again.
  const policy = testPolicy({ renewBeforeDays: 10 });
  const [a, b] = await Promise.all([syncSecret(api, policy, new Date()), syncSecret(api, policy, new Date())]);
  t.same([must(a).event, must(b).event].sort(), ['peerRenewed', 'renewed']);
  t.equal(must(a).serving.facts.fingerprint256, must(b).serving.facts.fingerprint256, 'same serving certificate');
  t.equal(api.count('replaceSecret'), 2);
});

t.test('a broken CA is replaced by a new CA and serving certificate', async (t) => {
  const api = new FakeApi();
  api.secret = secretWith({ ...pems(), caKey: '' });
  const state = must(await syncSecret(api, testPolicy(), new Date()));
  t.equal(state.event, 'recreated');
  t.not(api.secretText('ca.crt'), pems().caCert);
});

t.test('API errors are returned as values, with the RBAC rule to add for a 403', async (t) => {
  const api = new FakeApi();
  api.failNext('createSecret', 403);
  const result = await syncSecret(api, testPolicy(), new Date());
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'KUBE_FORBIDDEN');
  t.equal(result.error.transient, false);
  t.match(result.error.message, /cannot create Secret feldera-sidecar-injector-tls in namespace webhook-system: forbidden \(403\)/);
  t.match(result.error.message, /verbs \[create\] \(without resourceNames/);
});

t.test('something keeps rewriting the Secret: gives up after bounded attempts, transient', async (t) => {
  const api = new FakeApi();
  api.secret = secretWith(pems(), '1');
  const original = api.replaceSecret.bind(api);
  api.replaceSecret = async (secret) => {
    // Someone else writes a broken serving certificate between each of our reads and writes.
    api.secret = { ...secretWith({ ...pems(), tlsKey: '' }), metadata: { resourceVersion: String(Math.random()) } };
    return original(secret);
  };
  const result = await syncSecret(api, testPolicy({ renewBeforeDays: 10 }), new Date());
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CERT_SECRET_CONTENDED');
  t.equal(result.error.transient, true);
});
