// Kubeconfig files: one per client identity (admin, controller-manager), and the one the
// apiserver reads to authenticate to webhooks (AdmissionConfiguration kubeConfigFile), whose
// users[].name is the webhook's host:port as the apiserver matches it.
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface ClientKubeconfigOptions {
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  user: string;
  cluster?: string;
}

export function writeClientKubeconfig(path: string, options: ClientKubeconfigOptions): string {
  const cluster = options.cluster ?? 'feldera-e2e';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: options.server, 'certificate-authority': options.caFile } }],
    users: [{ name: options.user, user: { 'client-certificate': options.certFile, 'client-key': options.keyFile } }],
    contexts: [{ name: `${options.user}@${cluster}`, context: { cluster, user: options.user, namespace: 'default' } }],
    'current-context': `${options.user}@${cluster}`,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

export interface WebhookClientIdentity {
  /** host:port exactly as in the webhook's clientConfig.url (or a Service's DNS name[:port]). */
  name: string;
  certFile: string;
  keyFile: string;
}

/**
 * The kubeconfig of the MutatingAdmissionWebhook plugin. The apiserver picks the user whose name
 * matches the webhook it is calling (host:port for a non-443 port; `*` would match any).
 */
export function writeWebhookClientKubeconfig(path: string, identities: WebhookClientIdentity[]): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    users: identities.map((id) => ({ name: id.name, user: { 'client-certificate': id.certFile, 'client-key': id.keyFile } })),
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

/** The AdmissionConfiguration for --admission-control-config-file. */
export function writeAdmissionConfiguration(path: string, webhookKubeconfig: string): string {
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'MutatingAdmissionWebhook',
        configuration: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'WebhookAdmissionConfiguration', kubeConfigFile: webhookKubeconfig },
      },
      {
        name: 'ValidatingAdmissionWebhook',
        configuration: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'WebhookAdmissionConfiguration', kubeConfigFile: webhookKubeconfig },
      },
    ],
  };
  writeFileSync(path, stringify(config));
  return path;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
