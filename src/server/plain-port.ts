// The plain-HTTP side port: Prometheus scrapes /metrics here, and kubelet probes /healthz and
// /readyz here when the HTTPS port demands client certificates (kubelet's HTTPS probes present
// none). node:http directly: three fixed routes need no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { quoteName } from '../messages.js';
import { errorBody } from './error-body.js';
import type { Metrics } from '../metrics/registry.js';

export interface PlainPortOptions {
  host: string;
  port: number;
  metrics: Metrics;
  isReady: () => boolean;
  logger: Logger;
}

export interface PlainPort {
  readonly port: number;
  close(): Promise<void>;
}

export async function startPlainPort(options: PlainPortOptions): Promise<PlainPort> {
  const { metrics, isReady, logger } = options;
  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      logger.error({ err: error, path: request.url }, 'metrics endpoint failed');
      send(response, 500, 'application/json', JSON.stringify(errorBody('INTERNAL_ERROR', 'metrics collection failed; see the server log')));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'application/json', JSON.stringify(errorBody('REQUEST_INVALID', `${request.method} is not supported here; use GET`)));
      return;
    }
    switch (path) {
      case '/metrics':
        send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
        return;
      case '/healthz':
        send(response, 200, 'application/json', '{"status":"ok"}');
        return;
      case '/readyz':
        if (isReady()) send(response, 200, 'application/json', '{"status":"ready"}');
        else send(response, 503, 'application/json', '{"status":"not ready"}');
        return;
      default:
        send(response, 404, 'application/json', JSON.stringify(errorBody('ROUTE_NOT_FOUND', `no route ${quoteName(path ?? '')}; try /metrics, /healthz or /readyz`)));
    }
  }

  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; without this close() waits for their idle timeout.
        server.closeIdleConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
