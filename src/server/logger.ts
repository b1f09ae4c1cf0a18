// The process logger: pino JSON lines on stdout. Writes are asynchronous so an admission never
// waits on a write(2): under load sonic-boom gathers the pending lines into one write, at idle
// each line still goes out at once. Signal handlers flush before exit.
import { pino, type Logger } from 'pino';
import type { Config } from '../config/config.js';

export function createLogger(level: Config['log']['level'], destination: number | string = 1): Logger {
  return pino(
    { level, base: { service: 'feldera-sidecar-injector' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: destination, sync: false }),
  );
}
