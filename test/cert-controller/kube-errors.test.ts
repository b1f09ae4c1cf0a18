import t from 'tap';
import { ApiException } from '@kubernetes/client-node';
import { httpStatus, kubeFailure, type KubeOperation } from '../../src/cert-controller/kube-errors.js';

const getSecret: KubeOperation = { verb: 'get', resource: 'secrets', name: 'tls', namespace: 'ns', server: 'https://10.0.0.1' };
const patchWebhook: KubeOperation = { verb: 'patch', resource: 'mutatingwebhookconfigurations', name: 'injector' };
const status = (code: number, message: string, reason = 'Forbidden'): ApiException<string> =>
  new ApiException(code, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', message, reason, code }), {});

t.test('403 names the Role rule for the exact verb and resourceName', async (t) => {
  const f = kubeFailure(status(403, 'secrets "tls" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "secrets"'), getSecret);
  t.equal(f.code, 'KUBE_FORBIDDEN');
  t.equal(f.status, 403);
  t.equal(f.transient, false);
  t.match(f.message, 'cannot get Secret tls in namespace ns: forbidden (403)');
  t.match(f.message, 'a Role in namespace ns');
  t.match(f.message, 'resources [secrets], verbs [get], resourceNames [tls]');
  t.match(f.message, 'User "system:serviceaccount:ns:sa"', 'keeps the API server message (it names the service account)');
});

t.test('403 on the webhook configuration asks for a ClusterRole rule', async (t) => {
  const f = kubeFailure(status(403, 'forbidden'), patchWebhook);
  t.match(f.message, 'cannot patch MutatingWebhookConfiguration injector: forbidden (403)');
  t.match(f.message, 'ClusterRole');
  t.match(f.message, 'apiGroups [admissionregistration.k8s.io], resources [mutatingwebhookconfigurations], verbs [patch], resourceNames [injector]');
});

const rows: { name: string; error: unknown; code: string; transient: boolean; status: number | null; message: RegExp }[] = [
  { name: '401', error: new ApiException(401, 'Unauthorized', undefined, {}), code: 'KUBE_UNAUTHORIZED', transient: false, status: 401, message: /service account token/ },
  { name: '404', error: status(404, 'secrets "tls" not found', 'NotFound'), code: 'KUBE_NOT_FOUND', transient: false, status: 404, message: /not found/ },
  { name: '422', error: status(422, 'bad', 'Invalid'), code: 'KUBE_INVALID', transient: false, status: 422, message: /invalid \(422\)/ },
  { name: '429', error: status(429, 'slow down', 'TooManyRequests'), code: 'KUBE_UNAVAILABLE', transient: true, status: 429, message: /will retry/ },
  { name: '503', error: status(503, 'etcd down', 'ServiceUnavailable'), code: 'KUBE_UNAVAILABLE', transient: true, status: 503, message: /etcd down/ },
  {
    name: 'no answer (connection refused)',
    error: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
    code: 'KUBE_UNREACHABLE',
    transient: true,
    status: null,
    message: /no answer from the Kubernetes API server at https:\/\/10\.0\.0\.1 \(connect ECONNREFUSED/,
  },
  { name: 'body that is not JSON', error: new ApiException(500, 'x', 'upstream connect error', {}), code: 'KUBE_UNAVAILABLE', transient: true, status: 500, message: /upstream connect error/ },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const f = kubeFailure(row.error, getSecret);
    t.equal(f.code, row.code);
    t.equal(f.transient, row.transient);
    t.equal(f.status, row.status);
    t.equal(httpStatus(row.error), row.status);
    t.match(f.message, row.message);
  });
}
