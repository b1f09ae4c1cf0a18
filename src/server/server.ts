// startServer(): the HTTPS admission server, its metrics port and TLS hot reload, wired together.
// Everything here is I/O plumbing; the decision itself is decide(), called from admission-handler.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { NO_CLUSTER, type ClusterContext } from '../cluster/context.js';
import type { Config } from '../config/config.js';
import { decide as realDecide } from '../decide.js';
import { injectorError, type Result } from '../errors.js';
import { startPlainPort, type PlainPort } from './plain-port.js';
import { createMetrics, type Metrics } from '../metrics/registry.js';
import { createEventRecorder, type EventRecorder } from '../events/recorder.js';
import type { EventSink } from '../events/sink.js';
import { createAdmissionHandler, type DecideFunction } from './admission-handler.js';
import { clientErrorHandler, errorResponder, installErrorHandlers, type ErrorHandlerOptions } from './errors.js';
import { Readiness, type ReadinessState } from './readiness.js';
import { ROUTES, registerRoutes } from './routes.js';
import { StartupError } from './startup-error.js';
import { certificateLogFields, loadTlsMaterial, secureContextOptions, type CertificateInfo } from './tls-material.js';
import { startTlsReloader, type ReloadResult } from './tls-reloader.js';
import { startConfigReloader, type ConfigReloader } from './config-reloader.js';
import { installJsonBodyParser } from './json-body.js';
import { SERVER_TIMEOUTS, timeoutOptions, type ServerTimeouts } from './timeouts.js';
import { installBodyDeadline } from './body-deadline.js';

export type HttpsApp = FastifyInstance<HttpsServer>;

/** After the drain period, how long requests still in flight get before connections are cut. */
const CLOSE_GRACE_MS = 2000;
/** Recent events remembered for series aggregation: a few per StatefulSet of a large cluster. */
const EVENT_CACHE_SIZE = 4096;

export interface ServerOptions {
  logger: Logger;
  /** Replaces decide() (tests use it to simulate a bug); defaults to the real one. */
  decide?: DecideFunction;
  /** The cluster caches decide() reads (default NO_CLUSTER); readiness waits for `synced()`. */
  cluster?: { context: ClusterContext; synced(): boolean };
  /** Registers routes that are not part of the product (the benchmark's no-op) before listening. */
  extraRoutes?: (app: HttpsApp) => void | Promise<void>;
  tlsReload?: { debounceMs?: number; pollIntervalMs?: number };
  /** Live configuration: `file` is watched and `load` (the start's own layers) re-run on change. */
  configReload?: { file: string; load: () => Result<Config>; debounceMs?: number; pollIntervalMs?: number };
  /** Replaces some of SERVER_TIMEOUTS (tests shorten them to watch a slow client being cut). */
  timeouts?: Partial<ServerTimeouts>;
  /** The server's metrics, when something started before it (the certificate controller) counts too. */
  metrics?: Metrics;
  /** Where Events on pipeline StatefulSets go (config.events); absent: no Events. */
  eventSink?: EventSink;
}

export interface ServerHandle {
  /** The bound HTTPS port (the real one when config.server.port is 0). */
  readonly port: number;
  readonly metricsPort: number;
  isReady(): boolean;
  readiness(): ReadinessState;
  /** The serving certificate currently in use. */
  certificate(): CertificateInfo;
  /** Re-reads the TLS files now (SIGHUP); normally the folder watch does this. */
  reloadTls(): Promise<ReloadResult>;
  /** The configuration the next admission gets. */
  config(): Config;
  /** Re-reads the config file now ('unchanged' without live configuration); normally the folder watch does this. */
  reloadConfig(): Promise<ReloadResult>;
  /** Readiness false, `Connection: close` on every answer, keep serving drainSeconds, then close. */
  drain(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, releases watches and ports. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: ServerOptions): Promise<ServerHandle> {
  const logger = options.logger;
  const { server: serverConfig, tls: tlsFiles } = config;

  const initial = await loadTlsMaterial(tlsFiles);
  if (!initial.ok) throw new StartupError(initial.error);

  const metrics = options.metrics ?? createMetrics();
  metrics.setServingCertificateNotAfter(initial.value.certificate.notAfter.getTime() / 1000);
  const readiness = new Readiness();
  metrics.bindReadiness(() => readiness.ready);
  if (options.cluster !== undefined) readiness.cachesSynced = options.cluster.synced;
  const mtls = tlsFiles.clientCAFile !== null;
  const timeouts: ServerTimeouts = { ...SERVER_TIMEOUTS, ...options.timeouts };
  const timing = timeoutOptions(timeouts);
  const errorOptions: ErrorHandlerOptions = { bodyLimitBytes: serverConfig.bodyLimitBytes, bodyMs: timeouts.bodyMs, logger, metrics, routes: ROUTES };

  const app: HttpsApp = Fastify({
    https: {
      ...secureContextOptions(initial.value),
      // mTLS: the client CA lives in the (reloadable) secure context; whether a client
      // certificate is demanded is fixed for the server's lifetime.
      requestCert: mtls,
      rejectUnauthorized: mtls,
      // Why these values: timeouts.ts.
      ...timing.https,
    },
    ...timing.fastify,
    // Our own single line per admission replaces fastify's two per request.
    logger: false,
    bodyLimit: serverConfig.bodyLimitBytes,
    clientErrorHandler: clientErrorHandler(logger, metrics),
    // The router's own refusals (a malformed URL) in our shape too; fastify's would quote the URL.
    frameworkErrors: errorResponder(errorOptions),
    // Requests that arrive while closing are still answered (with Connection: close): for a
    // webhook with failurePolicy Fail, a 503 would fail someone's pod creation.
    return503OnClosing: false,
  });
  // Only JSON is an AdmissionReview: without this text/plain would parse and fail later as a 400.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);

  installErrorHandlers(app, errorOptions);
  installBodyDeadline(app, timeouts.bodyMs);
  // Before the routes: the first admission may already see a reloaded file.
  const configReloader: ConfigReloader | null =
    options.configReload === undefined
      ? null
      : startConfigReloader({
          ...options.configReload,
          initial: config,
          // The level is the one logging setting that a running logger can change.
          applied: (next) => {
            logger.level = next.log.level;
          },
          logger,
          metrics,
        });
  const currentConfig = configReloader === null ? () => config : configReloader.current;
  const events: EventRecorder | null =
    options.eventSink === undefined
      ? null
      : createEventRecorder({
          sink: options.eventSink,
          logger,
          recordEvent: (result) => metrics.recordEvent(result),
          queueSize: config.events.queueSize,
          seriesWindowMs: config.events.seriesWindowSeconds * 1000,
          cacheSize: EVENT_CACHE_SIZE,
        });
  registerRoutes(app, {
    admit: createAdmissionHandler({
      config: currentConfig,
      decide: options.decide ?? realDecide,
      logger,
      metrics,
      events,
      context: options.cluster?.context ?? NO_CLUSTER,
    }),
    readiness,
    trackInFlight: (delta) => metrics.trackInFlight(delta),
  });
  if (options.extraRoutes !== undefined) {
    try {
      await options.extraRoutes(app);
    } catch (error) {
      configReloader?.close();
      await app.close();
      throw error;
    }
  }

  app.server.on('tlsClientError', (error: NodeJS.ErrnoException) => {
    metrics.recordTlsHandshakeFailure();
    // Debug only: port scanners and TCP probes fail handshakes all day; the counter shows trends.
    logger.debug({ code: error.code, reason: error.message }, 'TLS handshake failed');
  });

  try {
    await app.listen({ host: serverConfig.host, port: serverConfig.port });
  } catch (error) {
    configReloader?.close();
    await app.close();
    throw listenError('HTTPS', serverConfig.host, serverConfig.port, error);
  }

  let plainPort: PlainPort;
  try {
    plainPort = await startPlainPort({
      host: serverConfig.metricsHost,
      port: serverConfig.metricsPort,
      metrics,
      isReady: () => readiness.ready,
      logger,
    });
  } catch (error) {
    configReloader?.close();
    await app.close();
    throw listenError('metrics', serverConfig.metricsHost, serverConfig.metricsPort, error);
  }

  const reloader = startTlsReloader({
    files: tlsFiles,
    initial: initial.value,
    apply: (material) => app.server.setSecureContext(secureContextOptions(material)),
    logger,
    metrics,
    ...options.tlsReload,
  });
  readiness.tlsLoaded = true;

  const port = app.server.address();
  const handle = lifecycle({
    port: typeof port === 'object' && port !== null ? port.port : serverConfig.port,
    metricsPort: plainPort.port,
    drainSeconds: serverConfig.drainSeconds,
    readiness,
    logger,
    certificate: () => reloader.current().certificate,
    reloadTls: () => reloader.reload(),
    config: currentConfig,
    reloadConfig: () => configReloader?.reload() ?? Promise.resolve('unchanged'),
    shutdown: async () => {
      reloader.close();
      configReloader?.close();
      const closed = app.close();
      // kube-apiserver keeps TLS connections open that may never carry a request, and
      // server.close() waits for them: give in-flight requests a moment, then cut the rest.
      app.server.closeIdleConnections();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      app.server.closeAllConnections();
      await closed;
      // Events of the last admissions still get their chance, bounded like the connections above.
      await events?.close(CLOSE_GRACE_MS);
      await plainPort.close();
    },
  });

  logger.info(
    {
      port: handle.port,
      metricsPort: handle.metricsPort,
      mtls,
      bodyLimitBytes: serverConfig.bodyLimitBytes,
      timeouts,
      liveConfigFile: options.configReload?.file ?? null,
      ...certificateLogFields(initial.value.certificate),
    },
    'serving admissions',
  );
  return handle;
}

interface LifecycleParts {
  port: number;
  metricsPort: number;
  drainSeconds: number;
  readiness: Readiness;
  logger: Logger;
  certificate: () => CertificateInfo;
  reloadTls: () => Promise<ReloadResult>;
  config: () => Config;
  reloadConfig: () => Promise<ReloadResult>;
  shutdown: () => Promise<void>;
}

/** drain() and close() are idempotent: signals, tests and main.ts may all call them. */
function lifecycle(parts: LifecycleParts): ServerHandle {
  const { readiness, logger } = parts;
  let closing: Promise<void> | null = null;
  let draining: Promise<void> | null = null;

  const close = (): Promise<void> => {
    // Not ready from the moment closing starts, whether or not a drain came first.
    readiness.draining = true;
    closing ??= parts.shutdown().then(() => logger.info('server closed'));
    return closing;
  };

  return {
    port: parts.port,
    metricsPort: parts.metricsPort,
    isReady: () => readiness.ready,
    readiness: () => readiness.snapshot(),
    certificate: parts.certificate,
    reloadTls: parts.reloadTls,
    config: parts.config,
    reloadConfig: parts.reloadConfig,
    close,
    drain() {
      if (draining !== null) return draining;
      readiness.draining = true;
      logger.info({ drainSeconds: parts.drainSeconds }, 'draining: not ready, still serving until the drain period ends');
      // Long enough for endpoints to drop this pod and the apiserver to move to other replicas.
      draining = new Promise<void>((resolve) => setTimeout(resolve, parts.drainSeconds * 1000)).then(close);
      return draining;
    },
  };
}

function listenError(what: string, host: string, port: number, error: unknown): StartupError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StartupError(
    injectorError('SERVER_LISTEN_FAILED', `cannot listen for ${what} on ${host}:${port} (${reason}); is the port in use or the host address wrong?`),
  );
}
