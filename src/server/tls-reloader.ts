// Hot reload of the serving certificate. Kubernetes updates a mounted Secret by writing a new
// timestamped folder and atomically swapping the `..data` symlink beside the files, so the
// *folders* holding the files are watched, not the files (a watch on a file follows the old
// inode and never fires again). fs.watch misses events on some filesystems (network, overlay,
// some container runtimes), so a slow stat poll backs it up. A failed load keeps the material
// in use: admissions must never fail because a rotation was caught half-way.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry.js';
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

export type ReloadResult = 'reloaded' | 'unchanged' | 'failed';

export interface TlsReloader {
  /** Reloads now (serialised with any reload in progress). */
  reload(): Promise<ReloadResult>;
  current(): TlsMaterial;
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export function startTlsReloader(options: TlsReloaderOptions): TlsReloader {
  const { files, apply, logger, metrics } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const paths = [files.certFile, files.keyFile, ...(files.clientCAFile === null ? [] : [files.clientCAFile])];
  const dirs = [...new Set(paths.map((path) => dirname(resolve(path))))];

  let current = options.initial;
  let closed = false;
  let debounce: NodeJS.Timeout | null = null;
  let running: Promise<ReloadResult> | null = null;
  let rerun = false;
  let lastSignature: string | null = null;
  const watchers = new Map<string, FSWatcher>();

  function schedule(): void {
    if (closed) return;
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      void reload();
    }, debounceMs);
    debounce.unref();
  }

  function ensureWatchers(): void {
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, schedule);
        watcher.on('error', (error) => {
          // The folder went away (or the watch broke); the poll re-creates the watch later.
          logger.warn({ err: error, dir }, 'TLS folder watch failed; falling back to polling until it can be re-established');
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        logger.warn({ err: error, dir }, 'cannot watch TLS folder; relying on polling');
      }
    }
  }

  /** Cheap identity of the files as they are now; stat follows the ..data symlinks. */
  async function signature(): Promise<string> {
    const parts = await Promise.all(
      paths.map(async (path) => {
        try {
          const s = await stat(path);
          return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
        } catch (error) {
          return `missing:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
        }
      }),
    );
    return parts.join('|');
  }

  async function reloadOnce(): Promise<ReloadResult> {
    // Taken before reading: a write landing after this is seen as a change by the next poll.
    lastSignature = await signature();
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

  function reload(): Promise<ReloadResult> {
    if (running !== null) {
      // A change during a reload may have been read half-way: read again once this one ends.
      rerun = true;
      return running;
    }
    running = (async () => {
      let result: ReloadResult;
      do {
        rerun = false;
        result = await reloadOnce();
      } while (rerun && !closed);
      return result;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const poll = setInterval(() => {
    ensureWatchers();
    void signature().then((now) => {
      if (now !== lastSignature) schedule();
    });
  }, pollIntervalMs);
  poll.unref();

  // lastSignature starts null, so the first poll re-reads once: that closes the gap between the
  // server's initial load and these watches being in place.
  ensureWatchers();

  return {
    reload,
    current: () => current,
    close() {
      closed = true;
      clearInterval(poll);
      if (debounce !== null) clearTimeout(debounce);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
