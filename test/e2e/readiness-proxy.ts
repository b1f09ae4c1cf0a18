// Used by test/scale (two replicas behind one port for the burst benchmark); the rolling restart it
// served is now in-cluster-webhook.test.ts, through a real Deployment, kubelet probes and a Service.
// A stand-in for a Service in front of webhook replicas, for the rolling-restart test: a TCP proxy
// (TLS passes through untouched, the replicas terminate it) on the one port the apiserver calls,
// handing each NEW connection round-robin to a backend that is in rotation. A poller GETs every
// backend's /readyz every pollIntervalMs: 200 puts it in rotation, anything else (503 while
// draining, refused, timed out) takes it out at once, like the endpoints controller dropping a
// not-ready pod. Established connections stay where they are, like kube-proxy's conntrack: they
// end when the backend closes them (a draining replica answers `Connection: close`).
import { request } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface BackendState {
  name: string;
  port: number;
  inRotation: boolean;
  /** Connections handed to this backend so far. */
  connections: number;
  /** Connections to it open now. */
  open: number;
  /** The last probe's verdict: HTTP status, or the error code. */
  lastProbe: string;
}

export interface RotationEvent {
  /** Date.now() */
  at: number;
  backend: string;
  change: 'in' | 'out';
  /** What the probe saw. */
  probe: string;
}

export interface ReadinessProxyOptions {
  /** The port to listen on (127.0.0.1). */
  port: number;
  /** PEM of the CA that signed the backends' serving certificates (the probe verifies them). */
  ca: string;
  pollIntervalMs?: number;
  probeTimeoutMs?: number;
}

export interface ReadinessProxy {
  port: number;
  /** Starts probing a backend; it joins the rotation once /readyz answers 200. */
  add(name: string, port: number): void;
  /** Stops probing and routing to it (existing connections are left alone). */
  remove(name: string): void;
  backends(): BackendState[];
  inRotation(): string[];
  readonly events: RotationEvent[];
  /** Connections that found no backend in rotation, or whose backend refused: reset. */
  readonly refused: { noBackend: number; backendError: number };
  waitForRotation(name: string, inRotation: boolean, timeoutMs?: number): Promise<RotationEvent | null>;
  close(): Promise<void>;
}

interface Backend extends BackendState {
  timer: NodeJS.Timeout | null;
  removed: boolean;
}

/**
 * Ends a connection with a reset (what the peer of a dead or absent process sees). Not after end():
 * uv_tcp_close_reset() refuses while a shutdown is pending (EINVAL), yet Node's TCPWrap::Reset marks
 * the handle closing anyway, so it is never closed and the process spins at 100% CPU at exit (seen
 * here: the test printed its results, then never ended). A plain destroy() is the fallback.
 */
function abort(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

export async function startReadinessProxy(options: ReadinessProxyOptions): Promise<ReadinessProxy> {
  const pollIntervalMs = options.pollIntervalMs ?? 150;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1000;
  const backends = new Map<string, Backend>();
  const events: RotationEvent[] = [];
  const refused = { noBackend: 0, backendError: 0 };
  const sockets = new Set<Socket>();
  const watchers = new Set<() => void>();
  let nextIndex = 0;
  let closed = false;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const setRotation = (backend: Backend, inRotation: boolean, probe: string): void => {
    backend.lastProbe = probe;
    if (backend.inRotation === inRotation || backend.removed) return;
    backend.inRotation = inRotation;
    events.push({ at: Date.now(), backend: backend.name, change: inRotation ? 'in' : 'out', probe });
    for (const notify of [...watchers]) notify();
  };

  const probe = (backend: Backend): Promise<string> =>
    new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: backend.port, path: '/readyz', method: 'GET', ca: options.ca, agent: false, timeout: probeTimeoutMs },
        (res) => {
          res.resume();
          resolve(String(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('probe timed out'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });

  const poll = async (backend: Backend): Promise<void> => {
    backend.timer = null;
    if (closed || backend.removed) return;
    const verdict = await probe(backend);
    if (closed || backend.removed) return;
    setRotation(backend, verdict === '200', verdict);
    backend.timer = setTimeout(() => void poll(backend), pollIntervalMs);
  };

  const pick = (): Backend | null => {
    const ready = [...backends.values()].filter((b) => b.inRotation);
    if (ready.length === 0) return null;
    const chosen = ready[nextIndex % ready.length] ?? null;
    nextIndex++;
    return chosen;
  };

  const server: Server = createServer((client) => {
    track(client);
    const backend = pick();
    if (backend === null) {
      refused.noBackend++;
      abort(client);
      return;
    }
    backend.connections++;
    backend.open++;
    const upstream = connect({ host: '127.0.0.1', port: backend.port });
    track(upstream);
    upstream.on('close', () => backend.open--);
    let connected = false;
    upstream.on('connect', () => {
      connected = true;
    });
    // Half-closes follow the data (pipe ends the other side); an error on either side resets
    // the other, which is what the peer of a dead process sees.
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('error', () => {
      if (!connected) refused.backendError++;
      abort(client);
    });
    client.on('error', () => abort(upstream));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: options.port,
    add(name, port) {
      if (backends.has(name)) throw new Error(`backend ${name} already added`);
      const backend: Backend = { name, port, inRotation: false, connections: 0, open: 0, lastProbe: 'not probed', timer: null, removed: false };
      backends.set(name, backend);
      void poll(backend);
    },
    remove(name) {
      const backend = backends.get(name);
      if (backend === undefined) return;
      setRotation(backend, false, 'removed');
      backend.removed = true;
      if (backend.timer !== null) clearTimeout(backend.timer);
    },
    backends: () => [...backends.values()].map(({ name, port, inRotation, connections, open, lastProbe }) => ({ name, port, inRotation, connections, open, lastProbe })),
    inRotation: () => [...backends.values()].filter((b) => b.inRotation).map((b) => b.name),
    events,
    refused,
    waitForRotation(name, inRotation, timeoutMs = 10_000) {
      const matches = (): boolean => backends.get(name)?.inRotation === inRotation;
      const latest = (): RotationEvent | null => events.filter((e) => e.backend === name).at(-1) ?? null;
      if (matches()) return Promise.resolve(latest());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`backend ${name} not ${inRotation ? 'in' : 'out of'} rotation after ${timeoutMs} ms (last probe: ${backends.get(name)?.lastProbe ?? 'unknown backend'})`));
        }, timeoutMs);
        const check = (): void => {
          if (!matches()) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve(latest());
        };
        watchers.add(check);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const backend of backends.values()) if (backend.timer !== null) clearTimeout(backend.timer);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
