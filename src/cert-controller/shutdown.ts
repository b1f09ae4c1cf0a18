// Stopping the controller with the server: when the process starts draining (SIGTERM), this
// replica stops writing the Secret and the webhook configuration; the replicas that stay do it.
import type { ServerHandle } from '../server/index.js';
import type { CertificateController } from './controller.js';

type Stoppable = Pick<ServerHandle, 'drain' | 'close' | 'reloadTls' | 'reloadConfig'>;

/** The handle to give installSignalHandlers: the same, plus the controller stopped first. */
export function alsoStopping(handle: Stoppable, controller: CertificateController | null): Stoppable {
  if (controller === null) return handle;
  // stop() ends the loop at once; a check already in flight is not waited for, so an API server
  // that hangs cannot hold up the drain (the process exits after it anyway).
  const stopLoop = (): void => void controller.stop();
  return {
    reloadTls: () => handle.reloadTls(),
    reloadConfig: () => handle.reloadConfig(),
    drain: () => {
      stopLoop();
      return handle.drain();
    },
    close: () => {
      stopLoop();
      return handle.close();
    },
  };
}
