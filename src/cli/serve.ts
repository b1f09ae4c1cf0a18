// `serve`: the webhook itself. Dev certificates for --dev, the self-managed certificate controller
// when configured, then the HTTPS server and its signal handlers.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CertificateController } from '../cert-controller/controller.js';
import { alsoStopping } from '../cert-controller/shutdown.js';
import { writeDevCertificates } from '../pki/dev-certificates.js';
import { createLogger, installSignalHandlers, startServer, StartupError } from '../server/index.js';
import { configFrom, fatal, type Values } from './args.js';
import type { ClusterCaches } from '../cluster/informers.js';
import { needsCluster } from '../cluster/needs-cluster.js';

type Stoppable = Parameters<typeof installSignalHandlers>[0];

/** The caches' watches end with the server, so the process can exit. */
function alsoStoppingCaches(handle: Stoppable, caches: ClusterCaches | null): Stoppable {
  if (caches === null) return handle;
  return {
    reloadTls: () => handle.reloadTls(),
    drain: () => handle.drain(),
    close: async () => {
      await handle.close();
      await caches.stop();
    },
  };
}

export async function serve(values: Values): Promise<void> {
  const config = configFrom(values);
  const logger = createLogger(config.log.level);
  const { certFile, keyFile } = config.tls;
  if (values.dev && (!existsSync(certFile) || !existsSync(keyFile))) {
    const dir = dirname(certFile);
    const written = await writeDevCertificates(dir);
    if (!written.ok) fatal(written.error.message);
    logger.info({ dir, hosts: written.value.hosts }, 'generated dev certificates (git-ignored; never use them in a cluster)');
  }
  // selfManaged: the Secret, tls.certFile/keyFile and the caBundle are in place before the server reads the files.
  let certificates: CertificateController | null = null;
  if (config.certificates.mode === 'selfManaged') {
    // Imported here: @kubernetes/client-node takes ~2 s to load, which files mode and `inject` never need.
    const { startCertificateController } = await import('../cert-controller/controller.js');
    const started = await startCertificateController(config, { logger });
    if (!started.ok) fatal(`${started.error.code}: ${started.error.message}`);
    certificates = started.value;
  }
  // Namespace policy and the ConfigMap source read informer caches; without them (the default
  // for `serve`, e.g. --dev on a laptop) no cluster is contacted and decide() gets NO_CLUSTER.
  let cluster: ClusterCaches | null = null;
  if (needsCluster(config)) {
    const { loadKubeConfig, startClusterCaches } = await import('../cluster/informers.js');
    const kc = loadKubeConfig(config);
    if (!kc.ok) fatal(`${kc.error.code}: ${kc.error.message} (needed by ${config.namespacePolicy.enabled ? 'namespacePolicy.enabled' : 'pipeline.configSource'})`);
    cluster = startClusterCaches(config, kc.value, logger);
  }
  try {
    const handle = await startServer(config, { logger, ...(cluster === null ? {} : { cluster }) });
    installSignalHandlers(alsoStoppingCaches(alsoStopping(handle, certificates), cluster), logger);
    logger.info(
      {
        https: `https://${config.server.host}:${handle.port}/mutate`,
        metrics: `http://${config.server.metricsHost}:${handle.metricsPort}/metrics`,
        allowInitContainers: config.pipeline.allowInitContainers,
        annotation: config.pipeline.runtimeConfigAnnotation,
        placement: config.sidecars.placement,
        podSecurity: config.policy.podSecurity,
        configSource: config.pipeline.configSource,
        namespacePolicy: config.namespacePolicy.enabled,
      },
      // The server's own "serving admissions" line has the ports, mTLS and the certificate;
      // this one says where to point kube-apiserver and what the policy switches are.
      'ready for admissions',
    );
  } catch (error) {
    if (error instanceof StartupError) fatal(error.message);
    throw error;
  }
}
