// The self-managed certificate controller: at start, make sure the Secret holds a CA and a serving
// certificate (creating them if no replica has yet), copy the serving pair to tls.certFile/keyFile
// before the server reads them, and point the webhook configuration's caBundle at the CA. Then,
// every certificates.checkIntervalSeconds: repair a reset caBundle, pick up a certificate another
// replica renewed, and renew ours when it is due. The server hot-reloads the files (and updates
// the serving-certificate expiry gauge), so nothing here talks to the server.
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Metrics } from '../metrics/registry.js';
import { fail, ok, type Result } from '../errors.js';
import { certificateError, type CertificateError } from './errors.js';
import { kubeCertificateApi, type CertificateApi } from './kube-api.js';
import { resolveNamespace } from './namespace.js';
import { certificatePolicy, policyErrors, policyWarnings, type CertificatePolicy } from './policy.js';
import type { Material } from './secret-contents.js';
import { syncSecret, type SecretState } from './secret-sync.js';
import { writeServingFiles } from './serving-files.js';
import { syncCaBundle, type CaBundleState } from './webhook-sync.js';

export interface CertificateControllerOptions {
  logger: Logger;
  /** Defaults to KubeConfig.loadFromDefault(): KUBECONFIG, ~/.kube/config, else the pod's service account. */
  kubeConfig?: KubeConfig;
  /** Replaces the Kubernetes client altogether (unit tests). */
  api?: CertificateApi;
  /** For POD_NAMESPACE; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** How long start-up keeps retrying an unreachable or failing API server before giving up. */
  startTimeoutMs?: number;
  /** Delay before the next check while something is not in sync; default min(check interval, 5 s). */
  retryIntervalMs?: number;
  /** Counts renewals and caBundle repairs (the server's metrics); absent: not counted. */
  metrics?: Pick<Metrics, 'recordCertificateRenewal' | 'recordCaBundleRepair'>;
}

export interface CertificateStatus {
  namespace: string;
  secretName: string;
  resourceVersion: string;
  servingNotAfter: Date;
  servingFingerprint: string;
  caFingerprint: string;
  caBundle: CaBundleState['outcome'] | 'error';
  lastError: CertificateError | null;
}

export interface CertificateController {
  status(): CertificateStatus;
  /** Runs one check now, serialised with the loop's own. */
  check(): Promise<void>;
  /** Stops the loop and waits for a check in progress; idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_START_TIMEOUT_MS = 120_000;
const MAX_RETRY_MS = 5_000;
const DAY_MS = 86_400_000;

export async function startCertificateController(
  config: Config,
  options: CertificateControllerOptions,
): Promise<Result<CertificateController, CertificateError>> {
  const log = options.logger.child({ component: 'certificates' });
  const now = options.now ?? (() => new Date());

  const namespace = resolveNamespace({ configured: config.certificates.namespace, env: options.env ?? process.env });
  if (!namespace.ok) return namespace;
  const policy = certificatePolicy(config, namespace.value);
  const invalid = policyErrors(policy);
  if (invalid.length > 0) return fail(certificateError('CONFIG_INVALID', `invalid configuration:\n- ${invalid.join('\n- ')}`));
  for (const warning of policyWarnings(policy)) log.warn(warning);

  const client = options.api === undefined ? defaultApi(options.kubeConfig, policy) : ok(options.api);
  if (!client.ok) return client;
  const api = client.value;

  const files = { certFile: config.tls.certFile, keyFile: config.tls.keyFile };
  const intervalMs = policy.checkIntervalSeconds * 1000;
  const retryMs = options.retryIntervalMs ?? Math.min(intervalMs, MAX_RETRY_MS);

  // Start-up: without a certificate there is nothing to serve, so transient failures are retried
  // here (the API server may still be starting) and permanent ones (RBAC) end start-up.
  const first = await retryTransient(() => syncSecret(api, policy, now()), options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, log);
  if (!first.ok) return first;
  const written = await writeServingFiles(files, first.value.serving);
  if (!written.ok) return written;
  let secret: SecretState = first.value;
  logSecret(log, policy, secret, null);

  let caBundle: CaBundleState['outcome'] | 'error' = 'error';
  let lastError: CertificateError | null = null;
  let lastProblem = '';
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  /** Problems are logged when they start or change, not at every retry; recovery is logged once. */
  const problem = (key: string, error: CertificateError | null, message: string): void => {
    lastError = error;
    if (key === lastProblem) {
      log.debug({ code: error?.code }, message);
      return;
    }
    lastProblem = key;
    const level = error !== null && !error.transient ? 'error' : 'warn';
    log[level]({ code: error?.code }, message);
  };
  const resolved = (): void => {
    if (lastProblem !== '') log.info('certificates in sync again');
    lastProblem = '';
    lastError = null;
  };

  async function syncWebhook(): Promise<boolean> {
    const state = await syncCaBundle(api, secret.ca.cert);
    if (!state.ok) {
      caBundle = 'error';
      problem(`caBundle:${state.error.message}`, state.error, state.error.message);
      return false;
    }
    caBundle = state.value.outcome;
    const name = policy.webhookConfigurationName;
    switch (state.value.outcome) {
      case 'inSync':
        return true;
      case 'repaired':
        options.metrics?.recordCaBundleRepair();
        log.info({ webhookConfiguration: name, webhooks: state.value.webhooks }, 'set caBundle on the webhook configuration to our CA');
        return true;
      case 'missing':
        problem(
          'caBundle:missing',
          null,
          `MutatingWebhookConfiguration ${name} does not exist (yet); its caBundle will be set when it appears (check certificates.webhookConfigurationName if this persists)`,
        );
        return false;
      case 'conflict':
        problem('caBundle:conflict', null, `MutatingWebhookConfiguration ${name} kept changing while we patched its caBundle; retrying`);
        return false;
    }
  }

  async function checkOnce(): Promise<boolean> {
    const at = now();
    const synced = await syncSecret(api, policy, at);
    if (!synced.ok) {
      // A failure counts as a failed renewal only when ours was due: the check renews then.
      if (secret.serving.facts.notAfter.getTime() - at.getTime() < policy.renewBeforeDays * DAY_MS) options.metrics?.recordCertificateRenewal('failure');
      problem(`secret:${synced.error.message}`, synced.error, synced.error.message);
      return false;
    }
    const previous = secret;
    secret = synced.value;
    if (secret.event === 'renewed') options.metrics?.recordCertificateRenewal('success');
    if (secret.event !== 'used' || secret.serving.facts.fingerprint256 !== previous.serving.facts.fingerprint256) {
      logSecret(log, policy, secret, previous);
    }
    // Every check, not only on change: this also restores files someone deleted.
    const copied = await writeServingFiles(files, secret.serving);
    if (!copied.ok) {
      problem(`files:${copied.error.message}`, copied.error, copied.error.message);
      return false;
    }
    if (!(await syncWebhook())) return false;
    resolved();
    return true;
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => void check(), ms);
    // The server keeps the process alive; this loop alone must not.
    timer.unref();
  }

  function check(): Promise<void> {
    if (running !== null) return running;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    running = checkOnce()
      .catch((error: unknown) => {
        problem(`crash:${String(error)}`, certificateError('KUBE_API_ERROR', `certificate check failed: ${String(error)}`, true), 'certificate check failed');
        return false;
      })
      .then((inSync) => {
        running = null;
        schedule(inSync ? intervalMs : retryMs);
      });
    return running;
  }

  const webhookReady = await syncWebhook();
  if (webhookReady) resolved();
  schedule(webhookReady ? intervalMs : retryMs);

  return ok({
    status: () => ({
      namespace: policy.namespace,
      secretName: policy.secretName,
      resourceVersion: secret.resourceVersion,
      servingNotAfter: secret.serving.facts.notAfter,
      servingFingerprint: secret.serving.facts.fingerprint256,
      caFingerprint: secret.ca.facts.fingerprint256,
      caBundle,
      lastError,
    }),
    check,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running;
    },
  });
}

function defaultApi(kubeConfig: KubeConfig | undefined, policy: CertificatePolicy): Result<CertificateApi, CertificateError> {
  let kc = kubeConfig;
  if (kc === undefined) {
    try {
      kc = new KubeConfig();
      kc.loadFromDefault();
    } catch (error) {
      return fail(
        certificateError(
          'KUBE_CONFIG_INVALID',
          `cannot load a Kubernetes client configuration (KUBECONFIG, ~/.kube/config or the in-cluster service account): ${String(error)}`,
        ),
      );
    }
  }
  if (kc.getCurrentCluster() === null) {
    return fail(
      certificateError(
        'KUBE_CONFIG_INVALID',
        'no Kubernetes cluster configured: run in a pod with a service account, or set KUBECONFIG (certificates.mode is selfManaged)',
      ),
    );
  }
  return ok(kubeCertificateApi(kc, policy));
}

async function retryTransient<T>(
  attempt: () => Promise<Result<T, CertificateError>>,
  timeoutMs: number,
  log: Logger,
): Promise<Result<T, CertificateError>> {
  const deadline = Date.now() + timeoutMs;
  let delay = 500;
  for (;;) {
    const result = await attempt();
    if (result.ok || !result.error.transient) return result;
    if (Date.now() + delay > deadline) {
      return fail(
        certificateError('CERT_START_TIMEOUT', `gave up after ${Math.round(timeoutMs / 1000)}s: ${result.error.message}`, false),
      );
    }
    log.warn({ code: result.error.code, retryInMs: delay }, result.error.message);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

/** previous: what this replica served before the check (null at start). */
function logSecret(log: Logger, policy: CertificatePolicy, state: SecretState, previous: SecretState | null): void {
  const starting = previous === null;
  const newCa = previous !== null && previous.ca.facts.fingerprint256 !== state.ca.facts.fingerprint256;
  const fields = {
    secret: `${policy.namespace}/${policy.secretName}`,
    resourceVersion: state.resourceVersion,
    event: state.event,
    ...(state.reason === null ? {} : { reason: state.reason }),
    ...certificateFields('serving', state.serving),
    caNotAfter: state.ca.facts.notAfter.toISOString(),
    caFingerprint: state.ca.facts.fingerprint256,
  };
  const messages: Record<SecretState['event'], string> = {
    used: starting
      ? 'using the serving certificate stored in the Secret'
      : newCa
        ? 'the certificate Secret was replaced (new CA); now serving its certificate'
        : 'another replica renewed the serving certificate; now serving it',
    created: starting ? 'created the certificate Secret (new CA and serving certificate)' : 'the certificate Secret was missing; created a new CA and serving certificate',
    adopted: 'another replica created the certificate Secret first; using its certificate',
    renewed: 'renewed the serving certificate (same CA)',
    peerRenewed: 'another replica renewed the serving certificate first; using its certificate',
    recreated: 'replaced the certificate Secret with a new CA and serving certificate',
  };
  const level = state.event === 'recreated' || newCa || (state.event === 'created' && !starting) ? 'warn' : 'info';
  log[level](fields, messages[state.event]);
}

function certificateFields(prefix: string, material: Material): Record<string, string> {
  return {
    [`${prefix}NotAfter`]: material.facts.notAfter.toISOString(),
    [`${prefix}Serial`]: material.facts.serialNumber,
    [`${prefix}Fingerprint`]: material.facts.fingerprint256,
  };
}
