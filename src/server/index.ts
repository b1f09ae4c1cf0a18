// The server API the serve command uses.
export { startServer, type HttpsApp, type ServerHandle, type ServerOptions } from './server.js';
export { installSignalHandlers, type SignalOptions } from './signals.js';
export { StartupError } from './startup-error.js';
export { createLogger } from './logger.js';
export type { DecideFunction } from './admission-handler.js';
export type { ReadinessState } from './readiness.js';
export type { CertificateInfo } from './tls-material.js';
export type { ReloadResult } from './tls-reloader.js';
