// Hot reload of the serving certificate from the mounted TLS files (mounted-files-watch.ts says
// how a change is noticed). A failed load keeps the material in use: admissions must never fail
// because a rotation was caught half-way.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry.js';
import { watchMountedFiles, type ReloadResult } from './mounted-files-watch.js';
import { certificateLogFields, loadTlsMaterial, type TlsFiles, type TlsMaterial } from './tls-material.js';

export interface TlsReloaderOptions {
  files: TlsFiles;
  /** The material the server started with. */
  initial: TlsMaterial;
  /** Puts new material into service (httpsServer.setSecureContext). Throwing counts as a failure. */
  apply: (material: TlsMaterial) => void;
  logger: Logger;
  metrics: Metrics;
  /** Rotations touch several entries in quick succession; one reload after they settle. */
  debounceMs?: number;
  pollIntervalMs?: number;
}

export type { ReloadResult };

export interface TlsReloader {
  /** Reloads now (serialised with any reload in progress). */
  reload(): Promise<ReloadResult>;
  current(): TlsMaterial;
  close(): void;
}

export function startTlsReloader(options: TlsReloaderOptions): TlsReloader {
  const { files, apply, logger, metrics } = options;
  const paths = [files.certFile, files.keyFile, ...(files.clientCAFile === null ? [] : [files.clientCAFile])];
  let current = options.initial;
  let closed = false;

  async function reloadOnce(): Promise<ReloadResult> {
    const loaded = await loadTlsMaterial(files);
    if (closed) return 'unchanged';
    if (!loaded.ok) {
      metrics.recordTlsReload('failure');
      logger.warn({ code: loaded.error.code, reason: loaded.error.message }, 'TLS reload failed; still serving the previous certificate');
      return 'failed';
    }
    if (loaded.value.digest === current.digest) return 'unchanged';
    try {
      apply(loaded.value);
    } catch (error) {
      metrics.recordTlsReload('failure');
      logger.warn({ err: error }, 'TLS reload rejected by the server; still serving the previous certificate');
      return 'failed';
    }
    current = loaded.value;
    metrics.recordTlsReload('success');
    metrics.setServingCertificateNotAfter(current.certificate.notAfter.getTime() / 1000);
    logger.info(certificateLogFields(current.certificate), 'TLS certificate reloaded');
    return 'reloaded';
  }

  const watch = watchMountedFiles({
    paths,
    reload: reloadOnce,
    what: 'TLS',
    logger,
    debounceMs: options.debounceMs,
    pollIntervalMs: options.pollIntervalMs,
  });

  return {
    reload: watch.reload,
    current: () => current,
    close() {
      closed = true;
      watch.close();
    },
  };
}
