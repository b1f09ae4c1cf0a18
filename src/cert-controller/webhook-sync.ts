// One pass over the MutatingWebhookConfiguration: make every webhook in it trust our CA. Missing
// configurations are normal for a while (Helm applies objects in its own order), so "missing" is
// an outcome to retry, not an error.
import { ok, type Result } from '../errors.js';
import { caBundlePatch, staleWebhooks } from './ca-bundle.js';
import type { CertificateApi } from './kube-api.js';
import type { KubeFailure } from './kube-errors.js';

export type CaBundleState =
  | { outcome: 'inSync' }
  | { outcome: 'repaired'; webhooks: string[] }
  | { outcome: 'missing' }
  /** Changed under us twice in a row (e.g. mid `helm upgrade`); the next check retries. */
  | { outcome: 'conflict' };

const MAX_ATTEMPTS = 2;

export async function syncCaBundle(api: CertificateApi, caPem: string): Promise<Result<CaBundleState, KubeFailure>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = await api.readWebhookConfiguration();
    if (!read.ok) return read;
    if (read.value === null) return ok({ outcome: 'missing' });
    const stale = staleWebhooks(read.value, caPem);
    if (stale.length === 0) return ok({ outcome: 'inSync' });
    const patched = await api.patchWebhookConfiguration(caBundlePatch(read.value, caPem));
    if (!patched.ok) return patched;
    if (patched.value.outcome === 'patched') return ok({ outcome: 'repaired', webhooks: stale.map((w) => w.name) });
    if (patched.value.outcome === 'missing') return ok({ outcome: 'missing' });
  }
  return ok({ outcome: 'conflict' });
}
