// Whether this process can reach a cluster at all, without loading client-node: KUBECONFIG, the
// user's ~/.kube/config, or the in-cluster service account (what KubeConfig.loadFromDefault() reads,
// minus its fallback to http://localhost:8080, which is never what a webhook means).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type CredentialSource = 'kubeconfig' | 'in-cluster';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface CredentialProbe {
  env: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
  home?: string;
}

export function clusterCredentials(probe: CredentialProbe): CredentialSource | null {
  const exists = probe.exists ?? existsSync;
  const kubeconfig = probe.env.KUBECONFIG;
  if (kubeconfig !== undefined && kubeconfig !== '') {
    return kubeconfig.split(delimiter).some((file) => file !== '' && exists(file)) ? 'kubeconfig' : null;
  }
  if (exists(join(probe.home ?? homedir(), '.kube', 'config'))) return 'kubeconfig';
  if (probe.env.KUBERNETES_SERVICE_HOST !== undefined && exists(SERVICE_ACCOUNT_TOKEN)) return 'in-cluster';
  return null;
}
