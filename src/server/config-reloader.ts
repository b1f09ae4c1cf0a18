// Live configuration: the config file (the chart's mounted ConfigMap) is read again when it
// changes, and the result becomes the configuration of the next admission in one reference swap;
// an admission already running keeps the object it started with. A file that cannot be read or is
// invalid keeps the configuration in use: a typo in a ConfigMap must not take the webhook down
// (readiness is untouched), only be loud (a warning naming the file and the setting, a metric).
import type { Logger } from 'pino';
import { configChange } from '../config/change.js';
import type { Config } from '../config/config.js';
import type { Result } from '../errors.js';
import type { Metrics } from '../metrics/registry.js';
import { watchMountedFiles, type ReloadResult } from './mounted-files-watch.js';

export interface ConfigReloaderOptions {
  file: string;
  /** The configuration the server started with. */
  initial: Config;
  /**
   * Reads the file again with the environment and flags of the start, so they keep overriding
   * it (load.ts: defaults < file < env < --set < flags).
   */
  load: () => Result<Config>;
  /** Called with each configuration that takes effect, before admissions see it. */
  applied?: (config: Config) => void;
  logger: Logger;
  metrics: Metrics;
  debounceMs?: number;
  pollIntervalMs?: number;
}

export interface ConfigReloader {
  /** The configuration for the next admission. */
  current(): Config;
  /** Reads the file now (serialised with any reload in progress). */
  reload(): Promise<ReloadResult>;
  close(): void;
}

export function startConfigReloader(options: ConfigReloaderOptions): ConfigReloader {
  const { file, load, logger, metrics } = options;
  let current = options.initial;
  let closed = false;

  async function reloadOnce(): Promise<ReloadResult> {
    const loaded = load();
    if (closed) return 'unchanged';
    if (!loaded.ok) {
      metrics.recordConfigReload('failure');
      logger.warn({ file, code: loaded.error.code, reason: loaded.error.message }, 'config reload failed; keeping the previous configuration');
      return 'failed';
    }
    const change = configChange(current, loaded.value);
    if (change.needsRestart.length > 0) {
      logger.warn({ file, settings: change.needsRestart }, 'config change needs a restart to take effect; keeping the running values of these settings');
    }
    if (change.applied.length === 0) return 'unchanged';
    options.applied?.(change.config);
    current = change.config;
    metrics.recordConfigReload('success');
    // Setting paths only: values may be long (image patterns) and the file is the record of them.
    logger.info({ file, changed: change.applied }, 'config reloaded');
    return 'reloaded';
  }

  const watch = watchMountedFiles({
    paths: [file],
    reload: reloadOnce,
    what: 'config',
    logger,
    debounceMs: options.debounceMs,
    pollIntervalMs: options.pollIntervalMs,
  });

  return {
    current: () => current,
    reload: watch.reload,
    close() {
      closed = true;
      watch.close();
    },
  };
}
