// Why startServer() could not start, as the coded error value it carries. A rejection rather
// than a Result because start-up failure ends the process anyway; main.ts reads `.error`.
import type { ErrorCode, InjectorError } from '../errors.js';

export class StartupError extends Error {
  readonly error: InjectorError;

  constructor(error: InjectorError) {
    super(error.message);
    this.name = 'StartupError';
    this.error = error;
  }

  get code(): ErrorCode {
    return this.error.code;
  }
}
