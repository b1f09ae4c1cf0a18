// Process signals -> server lifecycle. SIGTERM (kubelet stopping the pod) and SIGINT drain then
// exit; a second one exits without waiting; SIGHUP re-reads the TLS files and the config file.
import type { Logger } from 'pino';
import type { ServerHandle } from './server.js';

export interface SignalOptions {
  /** Ends the process; tests replace it. */
  exit?: (code: number) => void;
}

/** Returns a function that removes the handlers again. */
export function installSignalHandlers(
  handle: Pick<ServerHandle, 'drain' | 'close' | 'reloadTls' | 'reloadConfig'>,
  logger: Logger,
  options: SignalOptions = {},
): () => void {
  const exit =
    options.exit ??
    ((code: number) => {
      // pino writes synchronously by default; flush covers an async destination too, and the
      // timer makes sure a destination that never confirms cannot keep a stopping pod alive.
      setTimeout(() => process.exit(code), 2000).unref();
      logger.flush(() => process.exit(code));
    });
  let stopping = false;

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: closing without waiting for the drain period');
      handle.close().then(
        () => exit(0),
        () => exit(1),
      );
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    handle.drain().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const reload = (): void => {
    handle.reloadTls().then(
      (result) => logger.info({ result }, 'TLS reload on SIGHUP'),
      (error: unknown) => logger.error({ err: error }, 'TLS reload on SIGHUP failed'),
    );
    handle.reloadConfig().then(
      (result) => logger.info({ result }, 'config reload on SIGHUP'),
      (error: unknown) => logger.error({ err: error }, 'config reload on SIGHUP failed'),
    );
  };

  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', reload);
  return () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', reload);
  };
}
