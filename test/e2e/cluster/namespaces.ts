// Test namespaces: created with labels, usable once the serviceaccount controller has made their
// `default` ServiceAccount (the ServiceAccount admission plugin refuses pods before that).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from './wait.js';

export const INJECTION_LABEL = 'sidecar.feldera.com/injection';
/** Opted-in namespace every control plane has; registerWebhook() probes the webhook there. */
export const PROBE_NAMESPACE = 'sidecar-probe';
export const OPT_IN: Record<string, string> = { [INJECTION_LABEL]: 'enabled' };

export interface NamespaceSpec {
  name: string;
  labels?: Record<string, string>;
}

export async function createNamespace(kc: KubeConfig, spec: NamespaceSpec, timeoutMs = 30_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: spec.name, labels: spec.labels ?? {} } } });
  await waitForDefaultServiceAccount(kc, spec.name, timeoutMs);
}

export async function waitForDefaultServiceAccount(kc: KubeConfig, namespace: string, timeoutMs = 30_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(`ServiceAccount default in namespace ${namespace}`, async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace });
    return true;
  }, { timeoutMs, intervalMs: 100 });
}

/** A namespace name that is unique in this run: <prefix>-<random>. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
