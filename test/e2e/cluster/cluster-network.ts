// The cluster network as kube-apiserver sees it, for a cluster whose nodes are loopback addresses.
// kube-apiserver sends everything bound for the cluster (webhooks behind a Service, kubelets for
// logs and exec) through its egress selector (EgressSelectorConfiguration, network "cluster",
// HTTP CONNECT over this unix socket), as it does through konnectivity where the control plane
// cannot route to nodes. Here:
//   - 127.0.0.0/8 (a node's address, and so a kubelet or a hostNetwork pod): dialled as asked;
//   - a Service's ClusterIP:<port> (what kube-apiserver dials for a webhook's clientConfig.service),
//     or <service>.<namespace>.svc[.cluster.local]:<port>: what kube-proxy would pick: a Ready,
//     not-terminating pod selected by the Service, on the targetPort. Read from the pods themselves:
//     their addresses (a hostNetwork pod's is its node's, 127.0.0.N) are loopback, which EndpointSlices
//     refuse, so there are no endpoints to read (and --enable-aggregator-routing, which dials
//     endpoints, cannot work on such nodes);
//   - anything else (a pod's address on its sealed pod network): refused, never dialled:
//     nothing leaves 127.0.0.0/8.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import type { KubeRest } from './kube-rest.js';

export interface RouteRecord {
  at: number;
  target: string;
  /** host:port dialled, or null when refused. */
  backend: string | null;
  /** The Service (namespace/name) and the pod it went to (Service targets). */
  service?: string;
  pod?: string;
  reason?: string;
}

export interface ClusterNetwork {
  socket: string;
  readonly routes: RouteRecord[];
  close(): Promise<void>;
}

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> };
  status?: { podIP?: string; phase?: string; conditions?: Array<{ type: string; status: string }> };
}
interface Service {
  metadata?: { name: string; namespace: string };
  spec: {
    clusterIP?: string; selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: number | string }> };
}

const MAX_HEADER_BYTES = 8192;
const isLoopback = (host: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export async function startClusterNetwork(options: { socket: string; rest: () => KubeRest | null }): Promise<ClusterNetwork> {
  const routes: RouteRecord[] = [];
  const sockets = new Set<Socket>();
  let next = 0;

  const resolveService = async (name: string, namespace: string, port: number): Promise<{ host: string; port: number; pod: string; service: string } | string> => {
    const rest = options.rest();
    if (rest === null) return 'the control plane is not up';
    const svc = await rest.get<Service>(`/api/v1/namespaces/${namespace}/services/${name}`);
    if (svc.status !== 200) return `service ${namespace}/${name}: HTTP ${svc.status}`;
    const servicePort = svc.body.spec.ports?.find((p) => p.port === port);
    if (servicePort === undefined) return `service ${namespace}/${name} has no port ${port}`;
    const selector = Object.entries(svc.body.spec.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    if (selector === '') return `service ${namespace}/${name} has no selector`;
    const pods = await rest.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
    if (pods.status !== 200) return `pods of ${namespace}/${name}: HTTP ${pods.status}`;
    const ready = pods.body.items.filter(
      (p) =>
        p.metadata.deletionTimestamp === undefined &&
        p.status?.phase === 'Running' &&
        p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true &&
        isLoopback(p.status.podIP ?? ''),
    );
    if (ready.length === 0) return `service ${namespace}/${name} has no ready pod on a node address`;
    const pod = ready[next++ % ready.length] as Pod;
    const target = servicePort.targetPort ?? port;
    const containerPort =
      typeof target === 'number' ? target : pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
    if (containerPort === undefined) return `pod ${pod.metadata.name} has no port named ${String(target)}`;
    return { host: pod.status?.podIP as string, port: containerPort, pod: pod.metadata.name, service: `${namespace}/${name}` };
  };

  const route = async (target: string): Promise<{ host: string; port: number; pod?: string; service?: string } | string> => {
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    const port = Number(target.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return `bad CONNECT target ${target}`;
    if (isLoopback(host)) return { host, port };
    if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
      // A ClusterIP: the Service that holds it (kube-proxy's lookup), never the address itself.
      const rest = options.rest();
      if (rest === null) return 'the control plane is not up';
      const all = await rest.get<{ items: Service[] }>('/api/v1/services');
      const svc = all.status === 200 ? all.body.items.find((s) => s.spec.clusterIP === host) : undefined;
      if (svc?.metadata === undefined) return `${host} is no Service's ClusterIP and is not reachable from the host (only node addresses in 127.0.0.0/8 are)`;
      return resolveService(svc.metadata.name, svc.metadata.namespace, port);
    }
    const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
    if (svc !== null) return resolveService(svc[1] as string, svc[2] as string, port);
    return `${host} is not reachable from the host (only node addresses in 127.0.0.0/8 and Services backed by hostNetwork pods are)`;
  };

  const handle = (client: Socket): void => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEADER_BYTES) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const rest = head.subarray(end + 4);
      const requestLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const [method, target] = requestLine.split(' ');
      if (method !== 'CONNECT' || target === undefined) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        return;
      }
      void route(target)
        .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
        .then((backend) => {
          if (typeof backend === 'string') {
            routes.push({ at: Date.now(), target, backend: null, reason: backend });
            client.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\n${backend}\n`);
            return;
          }
          routes.push({ at: Date.now(), target, backend: `${backend.host}:${backend.port}`, service: backend.service, pod: backend.pod });
          const upstream = connect({ host: backend.host, port: backend.port });
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          upstream.once('connect', () => {
            client.write('HTTP/1.1 200 Connection established\r\n\r\n');
            if (rest.length > 0) upstream.write(rest);
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
          });
          upstream.on('error', (error) => {
            if (!client.writableEnded && upstream.bytesRead === 0 && upstream.connecting) {
              client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${error.message}\n`);
            } else client.destroy();
          });
          client.on('close', () => upstream.destroy());
          upstream.on('close', () => client.destroy());
        });
    };
    client.on('data', onData);
  };

  rmSync(options.socket, { force: true });
  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socket, () => resolve());
  });
  return {
    socket: options.socket,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
