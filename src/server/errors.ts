// Fastify's own failures (body too large, bad JSON, wrong media type, unknown route) turned into
// our error shape and codes, so a caller's mistake is always a 4xx with `{"error":{code,message}}`
// and only our own bugs are 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import type { Metrics } from '../metrics/registry.js';
import { failureLogFields } from './failure-log.js';
import { quoteName } from '../messages.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { BodyDeadlineExceeded } from './body-deadline.js';
import { BodyRefused } from './json-body.js';

export interface HttpError {
  status: number;
  body: ErrorBody;
}

export interface RequestLimits {
  bodyLimitBytes: number;
  /** The body deadline (body-deadline.ts): from the end of the headers to the answer. */
  bodyMs: number;
}

export function classifyError(error: FastifyError, request: FastifyRequest, limits: RequestLimits): HttpError {
  if (error instanceof BodyRefused) return { status: error.status, body: { error: error.refusal } };
  if (error instanceof BodyDeadlineExceeded) {
    return httpError(
      408,
      'REQUEST_TIMEOUT',
      `the request body was not received within ${limits.bodyMs / 1000} s of its headers (kube-apiserver gives up on a webhook call after its timeoutSeconds, at most 30 s)`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpError(413, 'REQUEST_TOO_LARGE', `request body is larger than ${limits.bodyLimitBytes} bytes (server.bodyLimitBytes)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpError(415, 'REQUEST_BAD_CONTENT_TYPE', `Content-Type must be application/json, got ${mediaTypeOf(request.headers['content-type'])}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return httpError(400, 'REQUEST_NOT_JSON', 'request body is empty; send an AdmissionReview as JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Our own parser (json-body.ts) answers bad JSON; this stays in case fastify's ever runs.
      // Its message would quote the body, which may hold secrets, so it is never passed on.
      return httpError(400, 'REQUEST_NOT_JSON', 'request body is not valid JSON; send an AdmissionReview as JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpError(400, 'REQUEST_INVALID', 'request body size does not match its Content-Length header');
    case 'FST_ERR_BAD_URL':
      // fastify's own answer would quote the URL.
      return httpError(400, 'REQUEST_INVALID', 'the request URL has a malformed percent-encoding');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // fastify's own messages may quote the URL or a header; its code says what went wrong.
    const detail = error.code?.startsWith('FST_') ? ` (${error.code})` : '';
    return httpError(status, 'REQUEST_INVALID', `request refused (HTTP ${status})${detail}`);
  }
  return httpError(500, 'INTERNAL_ERROR', 'the injector failed to handle this request; this is a bug, see the server log');
}

/** The media type of a refused Content-Type header, cut short; its parameters are not repeated. */
function mediaTypeOf(header: string | undefined): string {
  if (header === undefined) return 'none';
  const type = header.split(';', 1)[0]?.trim() ?? '';
  return type === '' ? 'an empty one' : quoteName(type);
}

/** A request path as a message shows it: without its query, quoted and cut short. */
export function pathOf(url: string): string {
  return quoteName(url.split('?', 1)[0] ?? '');
}

/** A URL as a log line carries it: bounded (an 8 KB URL fills no log). */
function logUrl(url: string): string {
  return url.length > 256 ? `${url.slice(0, 256)}...` : url;
}

function httpError(status: number, code: ErrorCode, message: string): HttpError {
  return { status, body: errorBody(code, message) };
}

export interface ErrorHandlerOptions extends RequestLimits {
  logger: Logger;
  metrics: Metrics;
  /** The routes a lost caller should be pointed to. */
  routes: readonly string[];
}

/** Answers any error fastify raises (its error handler, and its router's frameworkErrors). */
export function errorResponder(options: ErrorHandlerOptions): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  const { logger, metrics } = options;
  return (error, request, reply) => {
    const answer = classifyError(error, request, options);
    const fields = { code: answer.body.error.code, status: answer.status, method: request.method, url: logUrl(request.url) };
    if (answer.status >= 500) {
      metrics.recordInternalError();
      logger.error({ ...fields, failure: failureLogFields(error) }, 'request failed');
    } else {
      metrics.recordInvalidRequest(answer.body.error.code);
      logger.warn({ ...fields, reason: answer.body.error.message }, 'request refused');
    }
    // A sender too slow for its own deadline may still be sending: the connection is not reused.
    if (answer.status === 408) void reply.header('connection', 'close');
    void reply.code(answer.status).send(answer.body);
  };
}

export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  const { logger, metrics } = options;

  app.setErrorHandler(errorResponder(options));

  app.setNotFoundHandler((request, reply) => {
    const body = errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${pathOf(request.url)}; this server serves ${options.routes.join(', ')}`);
    metrics.recordInvalidRequest(body.error.code);
    logger.warn({ code: body.error.code, status: 404, method: request.method, url: logUrl(request.url) }, 'request refused');
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
      answer = errorBody('REQUEST_TIMEOUT', 'the request was not received completely in time');
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
