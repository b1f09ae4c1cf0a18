// The body deadline (timeouts.ts: once the headers are in, the body and the answer get bodyMs):
// one timer per request (a GET may carry a body too), cleared when its response is done. fastify's
// handlerTimeout implements the same bound with an AbortController per request and aborts it on
// every close, and each abort builds a DOMException with a stack: about 5 % of /mutate's CPU in
// the profile (issue 10), for a deadline that almost never fires.
import type { FastifyInstance } from 'fastify';

/** Raised into fastify's error handler when the deadline passes; answered 408 (errors.ts). */
export class BodyDeadlineExceeded extends Error {
  constructor(readonly bodyMs: number) {
    super(`the request was not answered within ${bodyMs} ms of its headers`);
    this.name = 'BodyDeadlineExceeded';
  }
}

export function installBodyDeadline(app: FastifyInstance, bodyMs: number): void {
  app.addHook('onRequest', (_request, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent) return;
      // An answer already under way cannot be replaced by another one: cut it.
      if (reply.raw.headersSent) reply.raw.destroy();
      else void reply.send(new BodyDeadlineExceeded(bodyMs));
    }, bodyMs);
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
