import t from 'tap';
import { resolveNamespace, SERVICE_ACCOUNT_NAMESPACE_FILE } from '../../src/cert-controller/namespace.js';

const file = (content: string | null) => (path: string) => (path === SERVICE_ACCOUNT_NAMESPACE_FILE ? content : null);

const rows = [
  { name: 'configured wins', configured: 'cfg', env: { POD_NAMESPACE: 'env' }, file: 'sa', want: 'cfg' },
  { name: 'then POD_NAMESPACE', configured: '', env: { POD_NAMESPACE: 'env' }, file: 'sa', want: 'env' },
  { name: 'then the service-account file (trimmed)', configured: ' ', env: {}, file: 'sa\n', want: 'sa' },
];
for (const row of rows) {
  t.test(row.name, async (t) => {
    const result = resolveNamespace({ configured: row.configured, env: row.env, readFile: file(row.file) });
    t.same(result, { ok: true, value: row.want });
  });
}

t.test('nothing known: an error that lists the three ways to fix it', async (t) => {
  const result = resolveNamespace({ configured: '', env: {}, readFile: file(null) });
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CERT_NAMESPACE_UNKNOWN');
  t.match(result.error.message, /certificates\.namespace.*POD_NAMESPACE.*serviceaccount\/namespace/s);
});
