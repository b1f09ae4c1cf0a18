// The controller's only door to Kubernetes: five calls on two named objects, each answering a
// Result whose "expected" outcomes (absent, already exists, lost a race) are values, not errors,
// so the controller never looks at HTTP codes. Tests replace this interface with a fake.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
  type V1Secret,
} from '@kubernetes/client-node';
import { fail, ok, type Result } from '../errors.js';
import type { JsonPatchOperation } from './ca-bundle.js';
import { kubeFailure, type KubeFailure, type KubeOperation } from './kube-errors.js';

export type CreateOutcome = { outcome: 'created'; secret: V1Secret } | { outcome: 'exists' };
export type ReplaceOutcome = { outcome: 'updated'; secret: V1Secret } | { outcome: 'conflict' };
/** conflict: the configuration changed between our read and the patch (a `test` op failed). */
export type PatchOutcome = { outcome: 'patched' } | { outcome: 'conflict' } | { outcome: 'missing' };

export interface CertificateApi {
  /** null when the Secret does not exist. */
  readSecret(): Promise<Result<V1Secret | null, KubeFailure>>;
  /** exists: another replica created it first (409 AlreadyExists). */
  createSecret(secret: V1Secret): Promise<Result<CreateOutcome, KubeFailure>>;
  /** PUT with metadata.resourceVersion: conflict when someone else wrote it since we read it. */
  replaceSecret(secret: V1Secret): Promise<Result<ReplaceOutcome, KubeFailure>>;
  /** null when the configuration does not exist (yet: Helm may install it after the Deployment). */
  readWebhookConfiguration(): Promise<Result<V1MutatingWebhookConfiguration | null, KubeFailure>>;
  patchWebhookConfiguration(patch: JsonPatchOperation[]): Promise<Result<PatchOutcome, KubeFailure>>;
}

export interface ApiTarget {
  namespace: string;
  secretName: string;
  webhookConfigurationName: string;
}

/** A hung API server must not stall the loop forever: client-node 1.x has no default timeout. */
export const REQUEST_TIMEOUT_MS = 30_000;

export function kubeCertificateApi(kubeConfig: KubeConfig, target: ApiTarget, timeoutMs = REQUEST_TIMEOUT_MS): CertificateApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const server = kubeConfig.getCurrentCluster()?.server;
  const { namespace, secretName: name, webhookConfigurationName } = target;
  const secretOp = (verb: KubeOperation['verb']): KubeOperation => ({ verb, resource: 'secrets', name, namespace, ...(server ? { server } : {}) });
  const webhookOp = (verb: KubeOperation['verb']): KubeOperation => ({
    verb,
    resource: 'mutatingwebhookconfigurations',
    name: webhookConfigurationName,
    ...(server ? { server } : {}),
  });
  // client-node 1.4 picks the patch Content-Type from a list; a header middleware makes it explicit.
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

  return {
    async readSecret() {
      const answer = await call(() => core.readNamespacedSecret({ name, namespace }), secretOp('get'), timeoutMs);
      if (answer.ok) return answer;
      return answer.error.status === 404 ? ok(null) : answer;
    },
    async createSecret(secret) {
      const answer = await call(() => core.createNamespacedSecret({ namespace, body: secret }), secretOp('create'), timeoutMs);
      if (answer.ok) return ok({ outcome: 'created', secret: answer.value });
      if (answer.error.status === 409) return ok({ outcome: 'exists' });
      if (answer.error.status === 404) {
        return fail({ ...answer.error, message: `${answer.error.message}; does namespace ${namespace} exist?` });
      }
      return answer;
    },
    async replaceSecret(secret) {
      const answer = await call(() => core.replaceNamespacedSecret({ name, namespace, body: secret }), secretOp('update'), timeoutMs);
      if (answer.ok) return ok({ outcome: 'updated', secret: answer.value });
      // 409: resourceVersion is stale. 404: deleted since we read it; the next check re-creates it.
      if (answer.error.status === 409 || answer.error.status === 404) return ok({ outcome: 'conflict' });
      return answer;
    },
    async readWebhookConfiguration() {
      const answer = await call(
        () => admission.readMutatingWebhookConfiguration({ name: webhookConfigurationName }),
        webhookOp('get'),
        timeoutMs,
      );
      if (answer.ok) return answer;
      return answer.error.status === 404 ? ok(null) : answer;
    },
    async patchWebhookConfiguration(patch) {
      const answer = await call(
        () => admission.patchMutatingWebhookConfiguration({ name: webhookConfigurationName, body: patch }, jsonPatch),
        webhookOp('patch'),
        timeoutMs,
      );
      if (answer.ok) return ok({ outcome: 'patched' });
      if (answer.error.status === 404) return ok({ outcome: 'missing' });
      if (answer.error.status === 409 || isFailedPatchTest(answer.error)) return ok({ outcome: 'conflict' });
      return answer;
    },
  };
}

/**
 * kube-apiserver answers a JSON patch whose `test` fails (or whose path no longer exists) with 422
 * and only its generic message, no details (checked against kube-apiserver 1.3x in the e2e test);
 * a real validation error names the field instead, and stays an error.
 */
const GENERIC_UNPROCESSABLE = 'the server rejected our request due to an error in our request';

function isFailedPatchTest(failure: KubeFailure): boolean {
  return failure.status === 422 && failure.apiMessage === GENERIC_UNPROCESSABLE;
}

async function call<T>(request: () => Promise<T>, operation: KubeOperation, timeoutMs: number): Promise<Result<T, KubeFailure>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    return ok(await Promise.race([request(), timeout]));
  } catch (error) {
    return fail(kubeFailure(error, operation));
  } finally {
    clearTimeout(timer);
  }
}
