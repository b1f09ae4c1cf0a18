// startControlPlane(): etcd, kube-apiserver and kube-controller-manager as local processes on
// 127.0.0.1 free ports, everything (data, PKI, kubeconfigs, logs) in one temp folder.
//
// The apiserver authenticates clients by certificate (cluster CA), authorizes with RBAC, signs
// service-account tokens, and calls mutating webhooks presenting a client certificate from the
// "webhook client CA" (AdmissionConfiguration -> kubeConfigFile, one user per webhook host:port).
// The controller-manager runs only what pods of a StatefulSet need to appear: the statefulset,
// serviceaccount, serviceaccount-token, namespace and garbagecollector controllers. There is no
// scheduler and no kubelet: pods are stored and stay Pending, which is all admission tests need.
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ensureKubeBinaries } from './binaries.js';
import { httpsRequest } from './https-request.js';
import { KubeRest } from './kube-rest.js';
import { loadKubeConfig, writeAdmissionConfiguration, writeClientKubeconfig, writeWebhookClientKubeconfig } from './kubeconfig.js';
import { createNamespace, OPT_IN, PROBE_NAMESPACE, waitForDefaultServiceAccount, type NamespaceSpec } from './namespaces.js';
import { createClusterPki, SERVICE_CLUSTER_IP_RANGE, type ClusterPki } from './pki.js';
import { freePort, freePorts } from './ports.js';
import { forgetRemoveAtExit, killStaleProcesses, removeAtExit, spawnManaged, tail, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface ControlPlaneOptions {
  /** Namespaces to create (and wait for their default ServiceAccount) before returning. */
  namespaces?: NamespaceSpec[];
  /**
   * Ports of 127.0.0.1 webhooks the apiserver presents its client certificate to. The apiserver
   * reads this at start, so they are fixed now; by default one free port (handle.webhookPort).
   */
  webhookPorts?: number[];
  /** Parent of the temp folder (default os.tmpdir()). */
  tmpRoot?: string;
  /** Keep the temp folder after stop() (also E2E_KEEP_DIR=1). */
  keepDir?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';

export interface ControlPlane {
  /** The temp folder holding everything below. */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin (O=system:masters) kubeconfig: for kubectl and for loadKubeConfig. */
  kubeconfigPath: string;
  /** The same admin identity for @kubernetes/client-node. */
  kc: KubeConfig;
  /** Raw REST with the admin certificate (what the apiserver stored, unmodelled). */
  rest: KubeRest;
  pki: ClusterPki;
  webhookPort: number;
  webhookPorts: number[];
  logFiles: Record<Component, string>;
  /** Milliseconds from the call to a usable cluster. */
  startupMs: number;
  /** The last lines of each component's log, for failure reports. */
  logTails(lines?: number): string;
  /** Stops the controller-manager, the apiserver and etcd; removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  killStaleProcesses(log);
  const bins = await ensureKubeBinaries(log);
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;

  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'feldera-e2e-'));
  const keepDir = options.keepDir ?? process.env.E2E_KEEP_DIR !== undefined;
  if (!keepDir) removeAtExit(dir);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFiles: Record<Component, string> = {
    etcd: join(logDir, 'etcd.log'),
    'kube-apiserver': join(logDir, 'kube-apiserver.log'),
    'kube-controller-manager': join(logDir, 'kube-controller-manager.log'),
  };
  const logTails = (lines = 40): string =>
    (Object.entries(logFiles) as Array<[Component, string]>)
      .map(([name, file]) => `----- ${name} (${file}) -----\n${existsSync(file) ? tail(file, lines) : '(not started)'}`)
      .join('\n');

  const pki = createClusterPki(join(dir, 'pki'));
  const [etcdClientPort, etcdPeerPort, apiserverPort] = (await freePorts(3)) as [number, number, number];
  const webhookPorts = options.webhookPorts ?? [await freePort()];
  const server = `https://127.0.0.1:${apiserverPort}`;

  // The children must talk to 127.0.0.1 directly, whatever proxy the caller's shell has set.
  const env = { ...process.env };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[name];

  const procs: ManagedProcess[] = [];
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const proc of [...procs].reverse()) await proc.stop(10_000);
      if (!keepDir) {
        rmSync(dir, { recursive: true, force: true });
        forgetRemoveAtExit(dir);
      }
    })();
    return stopped;
  };
  const died = (): string | null => {
    const dead = procs.find((p) => p.exitInfo() !== null);
    if (dead === undefined) return null;
    const info = dead.exitInfo();
    return `${dead.name} exited (code ${String(info?.code)}, signal ${String(info?.signal)})`;
  };

  try {
    // etcd: plain HTTP on loopback, data in the temp folder, no fsync (the data dies with the test).
    procs.push(
      spawnManaged({
        name: 'etcd',
        command: bins.etcd,
        args: [
          '--name=e2e',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=http://127.0.0.1:${etcdClientPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdClientPort}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-cluster=e2e=http://127.0.0.1:${etcdPeerPort}`,
          '--initial-cluster-state=new',
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
        logFile: logFiles.etcd,
        env,
        tempDir: keepDir ? undefined : dir,
      }),
    );
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`http://127.0.0.1:${etcdClientPort}/health`);
        const body = (await res.json()) as { health?: string };
        return res.ok && body.health === 'true' ? true : undefined;
      },
      { timeoutMs: startTimeoutMs, intervalMs: 100, abort: died },
    );

    const webhookKubeconfig = writeWebhookClientKubeconfig(
      join(dir, 'webhook-client.kubeconfig'),
      webhookPorts.map((port) => ({ name: `127.0.0.1:${port}`, certFile: pki.webhookClient.certFile, keyFile: pki.webhookClient.keyFile })),
    );
    const admissionConfig = writeAdmissionConfiguration(join(dir, 'admission-configuration.yaml'), webhookKubeconfig);
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    procs.push(
      spawnManaged({
        name: 'kube-apiserver',
        command: bins.kubeApiserver,
        args: [
          `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${apiserverPort}`,
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          `--tls-cert-file=${pki.apiserver.certFile}`,
          `--tls-private-key-file=${pki.apiserver.keyFile}`,
          `--client-ca-file=${pki.ca.certFile}`,
          '--authorization-mode=RBAC',
          `--service-account-issuer=${issuer}`,
          `--service-account-key-file=${pki.serviceAccount.publicKeyFile}`,
          `--service-account-signing-key-file=${pki.serviceAccount.privateKeyFile}`,
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          `--admission-control-config-file=${admissionConfig}`,
          // Loopback is not a valid Endpoints address: do not reconcile the kubernetes Service's endpoints.
          '--endpoint-reconciler-type=none',
          '--allow-privileged=true',
          '--profiling=false',
          '--v=1',
        ],
        logFile: logFiles['kube-apiserver'],
        env,
        tempDir: keepDir ? undefined : dir,
      }),
    );
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        const res = await httpsRequest({ url: `${server}/readyz`, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, timeoutMs: 2000 });
        if (res.status === 200) return true;
        throw new Error(`HTTP ${res.status}: ${res.text.split('\n').filter((l) => l.includes('failed')).join('; ') || res.text.slice(0, 200)}`);
      },
      { timeoutMs: startTimeoutMs, intervalMs: 250, abort: died },
    );

    const adminKubeconfig = writeClientKubeconfig(join(dir, 'admin.kubeconfig'), {
      server,
      caFile: pki.ca.certFile,
      certFile: pki.admin.certFile,
      keyFile: pki.admin.keyFile,
      user: 'e2e-admin',
    });
    const cmKubeconfig = writeClientKubeconfig(join(dir, 'controller-manager.kubeconfig'), {
      server,
      caFile: pki.ca.certFile,
      certFile: pki.controllerManager.certFile,
      keyFile: pki.controllerManager.keyFile,
      user: 'system:kube-controller-manager',
    });
    procs.push(
      spawnManaged({
        name: 'kube-controller-manager',
        command: bins.kubeControllerManager,
        args: [
          `--kubeconfig=${cmKubeconfig}`,
          '--controllers=statefulset,serviceaccount,serviceaccount-token,namespace,garbagecollector',
          `--service-account-private-key-file=${pki.serviceAccount.privateKeyFile}`,
          `--root-ca-file=${pki.ca.certFile}`,
          '--leader-elect=false',
          '--use-service-account-credentials=false',
          '--secure-port=0',
          '--kube-api-qps=100',
          '--kube-api-burst=200',
          '--v=1',
        ],
        logFile: logFiles['kube-controller-manager'],
        env,
        tempDir: keepDir ? undefined : dir,
      }),
    );

    const kc = loadKubeConfig(adminKubeconfig);
    const namespaces: NamespaceSpec[] = [{ name: PROBE_NAMESPACE, labels: OPT_IN }, ...(options.namespaces ?? [])];
    await waitForDefaultServiceAccount(kc, 'default', startTimeoutMs);
    for (const ns of namespaces) await createNamespace(kc, ns, startTimeoutMs);
    const deadNow = died();
    if (deadNow !== null) throw new Error(deadNow);

    const handle: ControlPlane = {
      dir,
      server,
      kubeconfigPath: adminKubeconfig,
      kc,
      rest: new KubeRest(server, pki.ca.cert, pki.admin),
      pki,
      webhookPort: webhookPorts[0] as number,
      webhookPorts,
      logFiles,
      startupMs: Date.now() - started,
      logTails,
      stop,
    };
    return handle;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tails = logTails(60);
    await stop();
    throw new Error(`control plane failed to start: ${reason}\n${tails}`);
  }
}
