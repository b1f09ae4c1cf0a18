// One pass over the Secret: read, plan, act, and settle races between replicas. Every replica
// runs this; the API server's create (409 AlreadyExists) and resourceVersion-checked update
// (409 Conflict) pick one winner, and the losers re-read and adopt the winner's certificate, so
// all replicas serve the same one.
import type { V1Secret } from '@kubernetes/client-node';
import { fail, ok, type Result } from '../errors.js';
import { certificateError, type CertificateError } from './errors.js';
import { issueAuthorityAndServing, renewServing, type CertificatePems } from './issue.js';
import type { CertificateApi } from './kube-api.js';
import { planCertificates } from './plan.js';
import type { CertificatePolicy } from './policy.js';
import { readSecretContents, type Material } from './secret-contents.js';
import { secretManifest } from './secret-manifest.js';

/**
 * used: the stored certificate was good. created / renewed / recreated: this replica wrote it.
 * adopted: another replica created the Secret first. peerRenewed: another replica renewed first.
 */
export type SecretEvent = 'used' | 'created' | 'adopted' | 'renewed' | 'peerRenewed' | 'recreated';

export interface SecretState {
  event: SecretEvent;
  /** Why this replica wrote (created/renewed/recreated). */
  reason: string | null;
  resourceVersion: string;
  ca: Material;
  serving: Material;
}

/** Each lost race costs one attempt; three losses in a row within one check means something is fighting us. */
const MAX_ATTEMPTS = 3;

export async function syncSecret(api: CertificateApi, policy: CertificatePolicy, now: Date): Promise<Result<SecretState, CertificateError>> {
  let lost: 'create' | 'update' | null = null;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = await api.readSecret();
    if (!read.ok) return read;
    const plan = planCertificates(read.value, now, policy);

    if (plan.action === 'use') {
      const event: SecretEvent = lost === 'create' ? 'adopted' : lost === 'update' ? 'peerRenewed' : 'used';
      return ok({ event, reason: null, resourceVersion: plan.resourceVersion, ca: plan.ca, serving: plan.serving });
    }
    // After losing a race, the winner's certificate is taken while it works, even if our settings
    // would already call it due: otherwise replicas could keep renewing over each other.
    if (lost !== null && plan.action === 'renew' && plan.servable !== null) {
      return ok({ event: lost === 'create' ? 'adopted' : 'peerRenewed', reason: null, resourceVersion: plan.resourceVersion, ca: plan.ca, serving: plan.servable });
    }

    const pems = plan.action === 'renew' ? renewServing(plan.ca, policy) : issueAuthorityAndServing(policy);
    if (!pems.ok) return pems;
    if (plan.action === 'create') {
      const created = await api.createSecret(manifest(policy, pems.value));
      if (!created.ok) return created;
      if (created.value.outcome === 'exists') {
        lost = 'create';
        continue;
      }
      return written(created.value.secret, 'created', plan.reason);
    }
    const replaced = await api.replaceSecret(manifest(policy, pems.value, plan.resourceVersion));
    if (!replaced.ok) return replaced;
    if (replaced.value.outcome === 'conflict') {
      lost = 'update';
      continue;
    }
    return written(replaced.value.secret, plan.action === 'renew' ? 'renewed' : 'recreated', plan.reason);
  }
  return fail(
    certificateError(
      'CERT_SECRET_CONTENDED',
      `Secret ${policy.namespace}/${policy.secretName} changed under us ${MAX_ATTEMPTS} times in one check; ` +
        'is something other than the webhook replicas writing it? Will retry at the next check',
      true,
    ),
  );
}

function manifest(policy: CertificatePolicy, pems: CertificatePems, resourceVersion?: string): V1Secret {
  return secretManifest(policy.secretName, policy.namespace, pems, resourceVersion);
}

/** Reads back what the API stored: the answer carries the new resourceVersion. */
function written(secret: V1Secret, event: SecretEvent, reason: string): Result<SecretState, CertificateError> {
  const contents = readSecretContents(secret);
  if (!contents.ca.ok || !contents.serving.ok) {
    const problem = !contents.ca.ok ? contents.ca.error : contents.serving.ok ? '' : contents.serving.error;
    return fail(certificateError('KUBE_API_ERROR', `the API server stored a Secret we cannot read back: ${problem}`, true));
  }
  return ok({ event, reason, resourceVersion: contents.resourceVersion, ca: contents.ca.value, serving: contents.serving.value });
}
