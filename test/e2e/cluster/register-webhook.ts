// registerWebhook(): the MutatingWebhookConfiguration the product ships (deploy/), pointed at a
// local webhook by URL. The apiserver picks configuration changes up from an informer, a moment
// later; registerWebhook returns only once a dry-run pipeline pod shows the webhook is called.
import { randomBytes } from 'node:crypto';
import { AdmissionregistrationV1Api, ApiException, CoreV1Api, type KubeConfig, type V1LabelSelector, type V1MutatingWebhookConfiguration, type V1Pod } from '@kubernetes/client-node';
import { pipelinePod, STATUS_ANNOTATION } from './fixtures.js';
import { INJECTION_LABEL, PROBE_NAMESPACE } from './namespaces.js';
import { waitFor } from './wait.js';

export const WEBHOOK_CONFIGURATION_NAME = 'feldera-sidecar-injector';
/** The webhook's name inside the configuration; the apiserver quotes it in every error. */
export const WEBHOOK_NAME = 'pods.sidecar.feldera.com';

export interface RegisterWebhookOptions {
  port: number;
  /** base64 PEM of the CA that signed the webhook's serving certificate. */
  caBundle: string;
  /** Default: namespaces labelled sidecar.feldera.com/injection=enabled; null: every namespace. */
  namespaceSelector?: V1LabelSelector | null;
  failurePolicy?: 'Fail' | 'Ignore';
  name?: string;
  timeoutSeconds?: number;
  /** Where to dry-run a pipeline pod to see the webhook active (must be selected); false: do not wait. */
  probeNamespace?: string | false;
  probeTimeoutMs?: number;
}

export function webhookConfiguration(options: RegisterWebhookOptions): V1MutatingWebhookConfiguration {
  const namespaceSelector =
    options.namespaceSelector === undefined ? { matchLabels: { [INJECTION_LABEL]: 'enabled' } } : (options.namespaceSelector ?? {});
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: options.name ?? WEBHOOK_CONFIGURATION_NAME },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig: { url: `https://127.0.0.1:${options.port}/mutate`, caBundle: options.caBundle },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector,
        // As the chart: the webhook records Events, never for a dry run.
        sideEffects: 'NoneOnDryRun',
        admissionReviewVersions: ['v1'],
        reinvocationPolicy: 'IfNeeded',
        timeoutSeconds: options.timeoutSeconds ?? 5,
        failurePolicy: options.failurePolicy ?? 'Fail',
        matchPolicy: 'Equivalent',
      },
    ],
  };
}

/** Creates or replaces the configuration, then waits until the apiserver calls the webhook. */
export async function registerWebhook(kc: KubeConfig, options: RegisterWebhookOptions): Promise<V1MutatingWebhookConfiguration> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const body = webhookConfiguration(options);
  const name = body.metadata?.name ?? WEBHOOK_CONFIGURATION_NAME;
  let stored: V1MutatingWebhookConfiguration;
  try {
    const existing = await api.readMutatingWebhookConfiguration({ name });
    stored = await api.replaceMutatingWebhookConfiguration({ name, body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 404) throw error;
    stored = await api.createMutatingWebhookConfiguration({ body });
  }
  const probeNamespace = options.probeNamespace ?? PROBE_NAMESPACE;
  if (probeNamespace !== false) await waitUntilWebhookActive(kc, probeNamespace, options.probeTimeoutMs ?? 30_000);
  return stored;
}

export async function unregisterWebhook(kc: KubeConfig, name = WEBHOOK_CONFIGURATION_NAME): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  try {
    await api.deleteMutatingWebhookConfiguration({ name });
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 404) throw error;
  }
}

/**
 * Dry-runs pipeline pods until one comes back injected or refused by our webhook (a refusal that
 * quotes the webhook's name proves the apiserver called it, e.g. with allowInitContainers=false).
 */
export async function waitUntilWebhookActive(kc: KubeConfig, namespace: string, timeoutMs = 30_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    `the apiserver to call webhook ${WEBHOOK_NAME} (dry-run pods in namespace ${namespace})`,
    async () => {
      const pod = pipelinePod({ namespace, name: `webhook-probe-${randomBytes(4).toString('hex')}` }) as V1Pod;
      try {
        const answer = await core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
        return answer.metadata?.annotations?.[STATUS_ANNOTATION] !== undefined ? true : undefined;
      } catch (error) {
        if (apiErrorMessage(error).includes(`webhook "${WEBHOOK_NAME}"`)) return true;
        throw error;
      }
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** The Status message of a refused API call (ApiException body), or the error's own message. */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') return parsed.message;
      } catch {
        return body;
      }
      return body;
    }
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
    return `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message : String(error);
}
