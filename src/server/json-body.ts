// The body parser for application/json. JSON.parse itself, not fastify's default: that one
// (secure-json-parse) refuses any body with a "__proto__" key, or a "constructor" holding a
// "prototype", with HTTP 400, and kube-apiserver turns a 400 into "failed calling webhook" for a
// perfectly good review whose pod has such a key in a free-form map (labels, a CSI volume's
// attributes, an unknown field). JSON.parse defines every key as a plain own data property and
// never sets a prototype, so the keys are kept as data and nothing reaches Object.prototype;
// code that copies the parsed object must not assign such keys (see src/patch.ts and src/mutate).
// A syntax error is reported by position only: V8's own message quotes the text around it.
import type { FastifyInstance } from 'fastify';
import { injectorError, type InjectorError } from '../errors.js';
import { describeJsonError } from '../json.js';

/** A body refused before it became a value; the error handler answers it as is. */
export class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly refusal: InjectorError,
  ) {
    super(refusal.message);
    this.name = 'BodyRefused';
  }
}

/** Parses a request body; throws BodyRefused when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  // A byte-order mark is not JSON but is harmless; fastify's parser ignored it too.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim() === '') {
    throw new BodyRefused(400, injectorError('REQUEST_NOT_JSON', 'request body is empty; send an AdmissionReview as JSON'));
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new BodyRefused(
      400,
      injectorError('REQUEST_NOT_JSON', `request body is not valid JSON (${describeJsonError(json, error)}); send an AdmissionReview as JSON`),
    );
  }
}

/** Replaces fastify's JSON parser; body size and Content-Length are still checked by fastify. */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
