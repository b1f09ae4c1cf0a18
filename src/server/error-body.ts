// The one JSON shape every error answer has, on every port, so callers and humans can rely on
// `.error.code` whatever went wrong.
import { injectorError, type ErrorCode, type InjectorError } from '../errors.js';

export interface ErrorBody {
  error: InjectorError;
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: injectorError(code, message) };
}
