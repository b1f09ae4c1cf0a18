// `certs`: a dev CA and serving certificate into a folder (certs/ by default, git-ignored).
import { writeDevCertificates } from '../pki/dev-certificates.js';
import { fatal, type Values } from './args.js';

export async function certs(values: Values): Promise<void> {
  const dir = values.out ?? 'certs';
  const hosts = values.hosts?.split(',').map((h) => h.trim()).filter((h) => h !== '') ?? [];
  const written = await writeDevCertificates(dir, { hosts, serviceName: values.service, namespace: values.namespace });
  if (!written.ok) fatal(written.error.message);
  process.stdout.write(`wrote ${Object.values(written.value.files).join(', ')}\nSANs: ${written.value.hosts.join(', ')}\n`);
}
