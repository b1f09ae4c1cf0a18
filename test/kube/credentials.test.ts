// When `events.mode: auto` finds cluster credentials, and when not (serve --dev on a laptop).
import t from 'tap';
import { clusterCredentials, SERVICE_ACCOUNT_TOKEN, type CredentialProbe } from '../../src/kube/credentials.js';

const files = (...present: string[]) => (path: string) => present.includes(path);
const rows: Array<[string, CredentialProbe, 'kubeconfig' | 'in-cluster' | null]> = [
  ['KUBECONFIG naming an existing file', { env: { KUBECONFIG: '/k/a' }, exists: files('/k/a'), home: '/h' }, 'kubeconfig'],
  ['KUBECONFIG list with one existing file', { env: { KUBECONFIG: '/k/x:/k/a' }, exists: files('/k/a'), home: '/h' }, 'kubeconfig'],
  ['KUBECONFIG naming nothing that exists (it wins over ~/.kube/config)', { env: { KUBECONFIG: '/k/x' }, exists: files('/h/.kube/config'), home: '/h' }, null],
  ['~/.kube/config', { env: {}, exists: files('/h/.kube/config'), home: '/h' }, 'kubeconfig'],
  ['in a pod', { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, exists: files(SERVICE_ACCOUNT_TOKEN), home: '/h' }, 'in-cluster'],
  ['in a pod without a token (automountServiceAccountToken false)', { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, exists: files(), home: '/h' }, null],
  ['a laptop without any', { env: {}, exists: files(), home: '/h' }, null],
];
for (const [what, probe, expected] of rows) {
  t.test(what, async (t) => t.strictSame(clusterCredentials(probe), expected));
}
