// Which namespace holds the Secret. Explicit configuration wins; otherwise the pod's own namespace,
// from the downward API (POD_NAMESPACE) or the service-account mount every pod gets. The lookups
// are passed in so the order can be tested without a pod around the test.
import { readFileSync } from 'node:fs';
import { fail, ok, type Result } from '../errors.js';
import { certificateError, type CertificateError } from './errors.js';

export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface NamespaceSources {
  configured: string;
  env: NodeJS.ProcessEnv;
  /** Returns the file's content, or null when it cannot be read. */
  readFile?: (path: string) => string | null;
}

export function resolveNamespace(sources: NamespaceSources): Result<string, CertificateError> {
  const configured = sources.configured.trim();
  if (configured !== '') return ok(configured);
  const fromEnv = sources.env.POD_NAMESPACE?.trim();
  if (fromEnv) return ok(fromEnv);
  const fromFile = (sources.readFile ?? readIfPresent)(SERVICE_ACCOUNT_NAMESPACE_FILE)?.trim();
  if (fromFile) return ok(fromFile);
  return fail(
    certificateError(
      'CERT_NAMESPACE_UNKNOWN',
      'certificates.mode is selfManaged but the namespace for the certificate Secret is unknown: set certificates.namespace, ' +
        `or POD_NAMESPACE (downward API: fieldRef metadata.namespace), or run in a pod with ${SERVICE_ACCOUNT_NAMESPACE_FILE}`,
    ),
  );
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
