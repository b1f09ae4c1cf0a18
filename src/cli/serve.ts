// `serve`: the webhook itself. Dev certificates for --dev, the self-managed certificate controller
// when configured, then the HTTPS server and its signal handlers.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CertificateController } from '../cert-controller/controller.js';
import { alsoStopping } from '../cert-controller/shutdown.js';
import { writeDevCertificates } from '../pki/dev-certificates.js';
import { createLogger, installSignalHandlers, startServer, StartupError } from '../server/index.js';
import { configFile, loadConfig } from '../config/load.js';
import type { ServerOptions } from '../server/server.js';
import type { Config } from '../config/config.js';
import type { EventSink } from '../events/sink.js';
import { clusterCredentials } from '../kube/credentials.js';
import { createMetrics } from '../metrics/registry.js';
import type { Logger } from 'pino';
import { configFrom, fatal, loadOptionsFrom, type Values } from './args.js';
import type { ClusterCaches } from '../cluster/informers.js';
import { needsCluster } from '../cluster/needs-cluster.js';

/**
 * --config-reload live (the default): the config file is watched and re-read on change. off: read
 * once; for the chart's `config.reload: rollout`, where a changed ConfigMap rolls the pods instead
 * and the old pods must keep the old configuration until they are replaced.
 */
export function liveConfig(values: Values): ServerOptions['configReload'] {
  const mode = values['config-reload'] ?? 'live';
  if (mode !== 'live' && mode !== 'off') fatal(`--config-reload ${mode}: expected live or off`);
  const options = loadOptionsFrom(values);
  const file = configFile(options);
  return mode === 'off' || file === undefined ? undefined : { file, load: () => loadConfig(options) };
}

type Stoppable = Parameters<typeof installSignalHandlers>[0];

/** The caches' watches end with the server, so the process can exit. */
function alsoStoppingCaches(handle: Stoppable, caches: ClusterCaches | null): Stoppable {
  if (caches === null) return handle;
  return {
    reloadTls: () => handle.reloadTls(),
    reloadConfig: () => handle.reloadConfig(),
    drain: () => handle.drain(),
    close: async () => {
      await handle.close();
      await caches.stop();
    },
  };
}

export async function serve(values: Values): Promise<void> {
  const config = configFrom(values);
  const configReload = liveConfig(values);
  const logger = createLogger(config.log.level);
  const { certFile, keyFile } = config.tls;
  if (values.dev && (!existsSync(certFile) || !existsSync(keyFile))) {
    const dir = dirname(certFile);
    const written = await writeDevCertificates(dir);
    if (!written.ok) fatal(written.error.message);
    logger.info({ dir, hosts: written.value.hosts }, 'generated dev certificates (git-ignored; never use them in a cluster)');
  }
  const metrics = createMetrics();
  const eventSink = await eventSinkFor(config, logger);
  // selfManaged: the Secret, tls.certFile/keyFile and the caBundle are in place before the server reads the files.
  let certificates: CertificateController | null = null;
  if (config.certificates.mode === 'selfManaged') {
    // Imported here: @kubernetes/client-node takes ~2 s to load, which files mode and `inject` never need.
    const { startCertificateController } = await import('../cert-controller/controller.js');
    const started = await startCertificateController(config, { logger, metrics });
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
    const handle = await startServer(config, {
      logger,
      metrics,
      ...(eventSink === null ? {} : { eventSink }),
      ...(configReload === undefined ? {} : { configReload }),
      ...(cluster === null ? {} : { cluster }),
    });
    installSignalHandlers(alsoStoppingCaches(alsoStopping(handle, certificates), cluster), logger);
    logger.info(
      {
        https: `https://${config.server.host}:${handle.port}/mutate`,
        metrics: `http://${config.server.metricsHost}:${handle.metricsPort}/metrics`,
        allowInitContainers: config.pipeline.allowInitContainers,
        annotation: config.pipeline.runtimeConfigAnnotation,
        placement: config.sidecars.placement,
        podSecurity: config.policy.podSecurity,
        events: eventSink !== null,
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

/** events.mode auto: Events when this process has cluster credentials; on: they are required. */
async function eventSinkFor(config: Config, logger: Logger): Promise<EventSink | null> {
  const mode = config.events.mode;
  if (mode === 'off') return null;
  const source = clusterCredentials({ env: process.env });
  if (source === null) {
    if (mode === 'on') {
      fatal('events.mode is on but there are no cluster credentials: set KUBECONFIG, or run in a pod with a service account (or set events.mode: off)');
    }
    logger.info('no cluster credentials (KUBECONFIG, ~/.kube/config, service account): Events are not recorded (events.mode auto)');
    return null;
  }
  // Imported here, like the certificate controller: client-node is slow to load and `inject` never needs it.
  const [{ KubeConfig }, { kubeEventSink }] = await Promise.all([import('@kubernetes/client-node'), import('../events/kube-sink.js')]);
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    fatal(`events: cannot load the Kubernetes client configuration (${source}): ${error instanceof Error ? error.message : String(error)}; set events.mode: off to run without Events`);
  }
  logger.info({ credentials: source, server: kc.getCurrentCluster()?.server }, 'recording Events on pipeline StatefulSets');
  return kubeEventSink(kc);
}
