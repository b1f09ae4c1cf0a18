// Fastify's own failures (body too large, bad JSON, wrong media type, unknown route) turned into
// our error shape and codes, so a caller's mistake is always a 4xx with `{"error":{code,message}}`
// and only our own bugs are 5xx.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import type { Metrics } from '../metrics/registry.js';
import { errorBody, type ErrorBody } from './error-body.js';

export interface HttpError {
  status: number;
  body: ErrorBody;
}

export function classifyError(error: FastifyError, request: FastifyRequest, bodyLimitBytes: number): HttpError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpError(413, 'REQUEST_TOO_LARGE', `request body is larger than ${bodyLimitBytes} bytes (server.bodyLimitBytes)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpError(
        415,
        'REQUEST_BAD_CONTENT_TYPE',
        `Content-Type must be application/json, got ${JSON.stringify(request.headers['content-type'] ?? null)}`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return httpError(400, 'REQUEST_NOT_JSON', 'request body is empty; send an AdmissionReview as JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Also how a "__proto__" key is refused. The parser's own message would quote the body,
      // which may hold secrets, so it is never passed on.
      return httpError(400, 'REQUEST_NOT_JSON', 'request body is not valid JSON (or has a "__proto__" key); send an AdmissionReview as JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpError(400, 'REQUEST_INVALID', 'request body size does not match its Content-Length header');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const detail = error.code?.startsWith('FST_') ? `: ${error.message}` : '';
    return httpError(status, 'REQUEST_INVALID', `request refused (HTTP ${status})${detail}`);
  }
  return httpError(500, 'INTERNAL_ERROR', 'the injector failed to handle this request; this is a bug, see the server log');
}

function httpError(status: number, code: ErrorCode, message: string): HttpError {
  return { status, body: errorBody(code, message) };
}

export interface ErrorHandlerOptions {
  bodyLimitBytes: number;
  logger: Logger;
  metrics: Metrics;
  /** The routes a lost caller should be pointed to. */
  routes: readonly string[];
}

export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  const { logger, metrics } = options;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = classifyError(error, request, options.bodyLimitBytes);
    const fields = { code: answer.body.error.code, status: answer.status, method: request.method, url: request.url };
    if (answer.status >= 500) {
      logger.error({ ...fields, err: error }, 'request failed');
    } else {
      metrics.recordInvalidRequest(answer.body.error.code);
      logger.warn({ ...fields, reason: answer.body.error.message }, 'request refused');
    }
    void reply.code(answer.status).send(answer.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?', 1)[0]}; this server serves ${options.routes.join(', ')}`);
    metrics.recordInvalidRequest(body.error.code);
    logger.warn({ code: body.error.code, status: 404, method: request.method, url: request.url }, 'request refused');
    void reply.code(404).send(body);
  });
}

/**
 * Requests too broken for fastify to route (malformed HTTP, oversized headers, slow senders)
 * are answered on the raw socket; this keeps even those in our error shape.
 */
export function clientErrorHandler(logger: Logger, metrics: Metrics): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    let status: number;
    let answer: ErrorBody;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      answer = errorBody('REQUEST_INVALID', 'the request was not received completely in time');
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      answer = errorBody('REQUEST_INVALID', 'request headers are too large');
    } else {
      status = 400;
      answer = errorBody('REQUEST_INVALID', 'malformed HTTP request');
    }
    metrics.recordInvalidRequest(answer.error.code);
    logger.warn({ code: answer.error.code, status, reason: error.code ?? error.message }, 'request refused');
    if (socket.writable) {
      const body = JSON.stringify(answer);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
