import { X509Certificate, createPrivateKey } from 'node:crypto';
import t from 'tap';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServingCertificate,
  type CertificateAuthority,
} from '../../src/pki/index.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function mustCa(): CertificateAuthority {
  const ca = createCertificateAuthority({ commonName: 'test CA', validityDays: 30 });
  if (!ca.ok) throw new Error(ca.error.message);
  return ca.value;
}

t.test('the CA is a self-signed CA certificate whose key matches', async (t) => {
  const ca = mustCa();
  const cert = new X509Certificate(ca.cert);
  t.equal(cert.ca, true, 'basicConstraints cA');
  t.match(cert.subject, /CN=test CA/);
  t.ok(cert.checkIssued(cert), 'self-issued');
  t.ok(cert.verify(cert.publicKey), 'self-signed');
  t.ok(cert.checkPrivateKey(createPrivateKey(ca.key)), 'key matches');
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  t.ok(days > 29 && days <= 30, `valid ~30 days, got ${days}`);
});

t.test('serving certificate: IP SANs for IPs, DNS SANs for names, serverAuth, signed by the CA', async (t) => {
  const ca = mustCa();
  const issued = issueServingCertificate(ca, { hosts: ['svc.ns.svc', '127.0.0.1', '[::1]', 'SVC.ns.svc', '*.example.com'], validityDays: 10 });
  if (!issued.ok) throw new Error(issued.error.message);
  const cert = new X509Certificate(issued.value.cert);
  const caCert = new X509Certificate(ca.cert);
  t.equal(cert.subjectAltName, 'DNS:svc.ns.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:*.example.com');
  t.match(cert.subject, /CN=svc\.ns\.svc/);
  t.same(cert.keyUsage, [SERVER_AUTH]);
  t.equal(cert.ca, false);
  t.ok(cert.checkIssued(caCert));
  t.ok(cert.verify(caCert.publicKey));
  t.ok(cert.checkPrivateKey(createPrivateKey(issued.value.key)));
  t.ok(cert.checkHost('svc.ns.svc'));
  t.ok(cert.checkIP('127.0.0.1'));
  t.notOk(cert.checkHost('other.ns.svc'));
});

t.test('two certificates never share a serial, and serials are positive DER integers', async (t) => {
  const ca = mustCa();
  const a = issueServingCertificate(ca, { hosts: ['a'], validityDays: 1 });
  const b = issueServingCertificate(ca, { hosts: ['a'], validityDays: 1 });
  if (!a.ok || !b.ok) throw new Error('issue failed');
  const serialA = new X509Certificate(a.value.cert).serialNumber;
  const serialB = new X509Certificate(b.value.cert).serialNumber;
  t.not(serialA, serialB);
  t.match(serialA, /^[4-7][0-9A-F]{31}$/, 'top bit clear, no leading zero byte');
});

t.test('client certificate: clientAuth, organizations as O=, signed by the CA', async (t) => {
  const ca = mustCa();
  const issued = issueClientCertificate(ca, { commonName: 'kube-apiserver', organizations: ['system:masters'] });
  if (!issued.ok) throw new Error(issued.error.message);
  const cert = new X509Certificate(issued.value.cert);
  t.same(cert.keyUsage, [CLIENT_AUTH]);
  t.match(cert.subject, /O=system:masters/);
  t.match(cert.subject, /CN=kube-apiserver/);
  t.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
});

t.test('bad requests are error values with a code, not exceptions', async (t) => {
  const ca = mustCa();
  const badHost = issueServingCertificate(ca, { hosts: ['not a host'], validityDays: 1 });
  t.equal(badHost.ok, false);
  if (!badHost.ok) {
    t.equal(badHost.error.code, 'CERT_REQUEST_INVALID');
    t.match(badHost.error.message, /"not a host"/);
  }
  const noHosts = issueServingCertificate(ca, { hosts: [], validityDays: 1 });
  t.equal(noHosts.ok, false);
  const badValidity = createCertificateAuthority({ commonName: 'x', validityDays: 0 });
  t.equal(badValidity.ok, false);
  const badCa = issueClientCertificate({ cert: 'nope', key: ca.key }, { commonName: 'c' });
  t.equal(badCa.ok, false);
  if (!badCa.ok) t.match(badCa.error.message, /CA certificate/);
  const otherCa = mustCa();
  const mismatched = issueClientCertificate({ cert: ca.cert, key: otherCa.key }, { commonName: 'c' });
  t.equal(mismatched.ok, false);
  if (!mismatched.ok) t.match(mismatched.error.message, /does not belong/);
});
