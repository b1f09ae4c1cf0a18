// Hosts -> subjectAltName entries. Modern TLS clients (Go's, so kube-apiserver's) ignore the
// common name and match only SANs, so every name a caller may dial must be here, with IPs as IP
// SANs: a DNS SAN "127.0.0.1" matches nothing.
import { isIP } from 'node:net';
import { fail, injectorError, ok, type InjectorError, type Result } from '../errors.js';

export type SubjectAltName = { type: 'dns'; value: string } | { type: 'ip'; value: string };

// RFC 1123 labels, with one leading "*." wildcard label allowed as in any serving certificate.
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label, index) => (index === 0 && label === '*' && labels.length > 1) || DNS_LABEL.test(label));
}

/** Normalises, de-duplicates (first occurrence wins) and classifies hosts; unusable ones are an error. */
export function subjectAltNames(hosts: readonly string[]): Result<SubjectAltName[], InjectorError> {
  const seen = new Set<string>();
  const sans: SubjectAltName[] = [];
  for (const raw of hosts) {
    // "[::1]" is how IPv6 hosts appear in URLs; people paste them that way.
    const host = raw.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (seen.has(host)) continue;
    seen.add(host);
    if (isIP(host) !== 0) {
      sans.push({ type: 'ip', value: host });
    } else if (isDnsName(host)) {
      sans.push({ type: 'dns', value: host });
    } else {
      return fail(
        injectorError(
          'CERT_REQUEST_INVALID',
          `host ${JSON.stringify(raw)} is neither an IP address nor a DNS name (letters, digits, "-" and ".", optionally starting with "*.")`,
        ),
      );
    }
  }
  if (sans.length === 0) {
    return fail(injectorError('CERT_REQUEST_INVALID', 'a serving certificate needs at least one host (DNS name or IP)'));
  }
  return ok(sans);
}

/** The names a Service is reached by from inside the cluster, shortest first. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
