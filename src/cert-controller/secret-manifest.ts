// The Secret as written to the API: a kubernetes.io/tls Secret (so kubectl, cert-manager tooling
// and volume mounts understand it) plus ca.crt/ca.key, the CA every replica renews with.
import type { V1Secret } from '@kubernetes/client-node';
import type { CertificatePems } from './issue.js';
import { SECRET_KEYS } from './secret-contents.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'feldera-sidecar-injector';

/** With resourceVersion the write is conditional: the API refuses it (409) if the Secret changed since. */
export function secretManifest(name: string, namespace: string, pems: CertificatePems, resourceVersion?: string): V1Secret {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      // Not Helm's: a `helm upgrade` must not reset it, so the chart never renders this Secret.
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: {
      [SECRET_KEYS.caCert]: b64(pems.caCert),
      [SECRET_KEYS.caKey]: b64(pems.caKey),
      [SECRET_KEYS.tlsCert]: b64(pems.tlsCert),
      [SECRET_KEYS.tlsKey]: b64(pems.tlsKey),
    },
  };
}
