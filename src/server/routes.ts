// The HTTPS routes: POST /mutate for kube-apiserver, /healthz and /readyz for kubelet.
import type { FastifyInstance } from 'fastify';
import type { AdmissionAnswer } from './admission-handler.js';
import type { Readiness } from './readiness.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() at arrival, for the admission duration (includes body parsing). */
    startedAt: number;
  }
}

export const ROUTES: readonly string[] = ['POST /mutate', 'GET /healthz', 'GET /readyz'];

export interface RouteOptions {
  admit: (body: unknown, startedAt: number) => AdmissionAnswer;
  readiness: Readiness;
  /** Called with +1 when a /mutate request arrives and -1 when its connection is done with it. */
  trackInFlight: (delta: 1 | -1) => void;
}

export function registerRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { admit, readiness, trackInFlight } = options;

  app.decorateRequest('startedAt', 0);
  app.addHook('onRequest', (request, reply, done) => {
    request.startedAt = performance.now();
    if (request.method === 'POST' && request.url === '/mutate') {
      trackInFlight(1);
      // 'close' fires once whether the answer was sent or the client went away mid-request.
      reply.raw.once('close', () => trackInFlight(-1));
    }
    // While draining, every answer tells the client to reconnect, and a reconnect goes through
    // the Service to a replica that is still ready.
    if (readiness.draining) void reply.header('connection', 'close');
    done();
  });

  app.post('/mutate', (request, reply) => {
    const answer = admit(request.body, request.startedAt);
    void reply.code(answer.status).type('application/json; charset=utf-8').send(answer.json);
  });

  app.get('/healthz', (_request, reply) => {
    void reply.send({ status: 'ok' });
  });

  app.get('/readyz', (_request, reply) => {
    const state = readiness.snapshot();
    void reply.code(state.ready ? 200 : 503).send({ status: state.ready ? 'ready' : 'not ready', ...state });
  });
}
