// startControlPlane(): etcd, kube-apiserver and kube-controller-manager as local processes on
// 127.0.0.1 free ports, everything (data, PKI, kubeconfigs, logs) in one temp folder.
//
// The apiserver authenticates clients by certificate (cluster CA), authorizes with RBAC, signs
// service-account tokens, and calls mutating webhooks presenting a client certificate from the
// "webhook client CA" (AdmissionConfiguration -> kubeConfigFile, one user per webhook host:port).
// The controller-manager runs only what pods of a StatefulSet need to appear: the statefulset,
// serviceaccount, serviceaccount-token, namespace and garbagecollector controllers. There is no
// scheduler and no kubelet: pods are stored and stay Pending, which is all admission tests need.
//
// With `nodes: N` it is a whole cluster: kube-scheduler, the deployment, replicaset and
// root-ca-cert-publisher controllers too, the Node authorizer and NodeRestriction, client and CA
// flags for the apiserver's calls to kubelets, an egress selector that sends cluster-bound traffic
// through the harness's cluster network (cluster-network.ts), and N real nodes (node.ts).
// `version: '1.35'` (or 1.36, 1.37) runs that minor's kube-apiserver and kube-controller-manager.
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { ensureKubeBinaries, ensureMatrixBinaries, ensureNodeBinaries, MATRIX_MINORS, type MatrixMinor, type NodeBinaries } from './binaries.js';
import { startClusterNetwork, type ClusterNetwork } from './cluster-network.js';
import { cleanUpDeadNodes, startNodes, type NodeSet } from './node.js';
import type { MachineDiff } from './machine-state.js';
import { httpsRequest } from './https-request.js';
import { KubeRest } from './kube-rest.js';
import { loadKubeConfig, writeAdmissionConfiguration, writeClientKubeconfig, writeWebhookClientKubeconfig } from './kubeconfig.js';
import { createNamespace, OPT_IN, PROBE_NAMESPACE, waitForDefaultServiceAccount, type NamespaceSpec } from './namespaces.js';
import { createClusterPki, createNodeControlPlanePki, SERVICE_CLUSTER_IP_RANGE, type ClusterPki } from './pki.js';
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
  /** Real nodes to start (default 0: no scheduler, no kubelet, pods stay Pending). */
  nodes?: number;
  /** Another minor of the version matrix for kube-apiserver and kube-controller-manager (default: 1.34). */
  version?: MatrixMinor;
  /**
   * Write an audit log (JSON lines, handle.auditLogPath) of pod creations at Metadata level: the
   * level that already carries the annotations admission webhooks add (auditAnnotations).
   */
  auditLog?: boolean;
}

export type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';

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
  /** The nodes (with `nodes`), else null. */
  nodes: NodeSet | null;
  /** kubelet, kubectl, kube-scheduler and crictl (with `nodes`), else null. */
  nodeBinaries: NodeBinaries | null;
  /** Where the apiserver's cluster-bound connections went (with `nodes`), else null. */
  clusterNetwork: ClusterNetwork | null;
  /** kube-apiserver's version, e.g. v1.34.4. */
  version: string;
  /** The apiserver's audit log (with auditLog), else null. */
  auditLogPath: string | null;
  /** After stop() with nodes: how the machine differs from before the nodes started (empty when clean). */
  machineDiff(): MachineDiff | null;
  /** Stops the nodes, the scheduler, the controller-manager, the apiserver and etcd; removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

/** E2E_KUBE_VERSION=1.35 (or 1.36, 1.37) runs every suite against that minor; 1.34 or unset: the default. */
function versionFromEnv(): MatrixMinor | undefined {
  const value = process.env.E2E_KUBE_VERSION;
  if (value === undefined || value === '' || value === '1.34') return undefined;
  const minor = MATRIX_MINORS.find((m) => m === value);
  if (minor === undefined) throw new Error(`E2E_KUBE_VERSION=${value}: expected 1.34 or one of ${MATRIX_MINORS.join(', ')}`);
  return minor;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  cleanUpDeadNodes(log);
  killStaleProcesses(log);
  const version = options.version ?? versionFromEnv();
  const bins = version === undefined ? await ensureKubeBinaries(log) : await ensureMatrixBinaries(version, log);
  const nodeCount = options.nodes ?? 0;
  const nodeBins = nodeCount > 0 ? await ensureNodeBinaries(log) : null;
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
    'kube-scheduler': join(logDir, 'kube-scheduler.log'),
  };
  const logTails = (lines = 40): string =>
    (Object.entries(logFiles) as Array<[Component, string]>)
      .map(([name, file]) => `----- ${name} (${file}) -----\n${existsSync(file) ? tail(file, lines) : '(not started)'}`)
      .concat(nodeSet === null ? [] : [nodeSet.logTails(lines)])
      .join('\n');

  const pki = createClusterPki(join(dir, 'pki'));
  const [etcdClientPort, etcdPeerPort, apiserverPort] = (await freePorts(3)) as [number, number, number];
  const webhookPorts = options.webhookPorts ?? [await freePort()];
  const server = `https://127.0.0.1:${apiserverPort}`;

  // The children must talk to 127.0.0.1 directly, whatever proxy the caller's shell has set.
  const env = { ...process.env };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[name];

  const procs: ManagedProcess[] = [];
  let nodeSet: NodeSet | null = null;
  let clusterNetwork: ClusterNetwork | null = null;
  let machineDiff: MachineDiff | null = null;
  let restClient: KubeRest | null = null;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (nodeSet !== null) machineDiff = await nodeSet.stop();
      for (const proc of [...procs].reverse()) await proc.stop(10_000);
      await clusterNetwork?.close();
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

    const nodePki = nodeCount > 0 ? createNodeControlPlanePki(pki) : null;
    const nodeApiserverArgs: string[] = [];
    if (nodePki !== null) {
      clusterNetwork = await startClusterNetwork({ socket: join(dir, 'cluster-network.sock'), rest: () => restClient });
      const egress = join(dir, 'egress-selector.yaml');
      writeFileSync(
        egress,
        [
          'apiVersion: apiserver.k8s.io/v1beta1',
          'kind: EgressSelectorConfiguration',
          'egressSelections:',
          // Webhooks behind Services and kubelets: through the harness's cluster network.
          '  - name: cluster',
          '    connection:',
          '      proxyProtocol: HTTPConnect',
          '      transport:',
          '        uds:',
          `          udsName: ${clusterNetwork.socket}`,
          '',
        ].join('\n'),
      );
      nodeApiserverArgs.push(
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        `--kubelet-client-certificate=${nodePki.kubeletClient.certFile}`,
        `--kubelet-client-key=${nodePki.kubeletClient.keyFile}`,
        `--kubelet-certificate-authority=${pki.ca.certFile}`,
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        `--egress-selector-config-file=${egress}`,
      );
    }
    const webhookKubeconfig = writeWebhookClientKubeconfig(
      join(dir, 'webhook-client.kubeconfig'),
      webhookPorts.map((port) => ({ name: `127.0.0.1:${port}`, certFile: pki.webhookClient.certFile, keyFile: pki.webhookClient.keyFile })),
    );
    const admissionConfig = writeAdmissionConfiguration(join(dir, 'admission-configuration.yaml'), webhookKubeconfig);
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    const auditLogPath = options.auditLog === true ? join(logDir, 'audit.log') : null;
    const auditArgs: string[] = [];
    if (auditLogPath !== null) {
      const policy = join(dir, 'audit-policy.yaml');
      writeFileSync(
        policy,
        [
          'apiVersion: audit.k8s.io/v1',
          'kind: Policy',
          'omitStages: ["RequestReceived"]',
          'rules:',
          '  - level: Metadata',
          '    verbs: ["create"]',
          '    resources: [{ group: "", resources: ["pods"] }]',
          '  - level: None',
          '',
        ].join('\n'),
      );
      auditArgs.push(`--audit-policy-file=${policy}`, `--audit-log-path=${auditLogPath}`, '--audit-log-format=json', '--audit-log-maxbackup=1');
    }
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
          ...(nodeCount > 0 ? nodeApiserverArgs : ['--authorization-mode=RBAC']),
          `--service-account-issuer=${issuer}`,
          `--service-account-key-file=${pki.serviceAccount.publicKeyFile}`,
          `--service-account-signing-key-file=${pki.serviceAccount.privateKeyFile}`,
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          `--admission-control-config-file=${admissionConfig}`,
          // Loopback is not a valid Endpoints address: do not reconcile the kubernetes Service's endpoints.
          '--endpoint-reconciler-type=none',
          '--allow-privileged=true',
          '--profiling=false',
          ...auditArgs,
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
          `--controllers=statefulset,serviceaccount,serviceaccount-token,namespace,garbagecollector${nodeCount > 0 ? ',deployment,replicaset,root-ca-cert-publisher,disruption,nodelifecycle' : ''}`,
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

    if (nodePki !== null && nodeBins !== null) {
      const schedulerKubeconfig = writeClientKubeconfig(join(dir, 'scheduler.kubeconfig'), {
        server,
        caFile: pki.ca.certFile,
        certFile: nodePki.scheduler.certFile,
        keyFile: nodePki.scheduler.keyFile,
        user: 'system:kube-scheduler',
      });
      procs.push(
        spawnManaged({
          name: 'kube-scheduler',
          command: nodeBins.kubeScheduler,
          args: [`--kubeconfig=${schedulerKubeconfig}`, `--authentication-kubeconfig=${schedulerKubeconfig}`, `--authorization-kubeconfig=${schedulerKubeconfig}`, '--leader-elect=false', '--secure-port=0', '--v=1'],
          logFile: logFiles['kube-scheduler'],
          env,
          tempDir: keepDir ? undefined : dir,
        }),
      );
    }
    const kc = loadKubeConfig(adminKubeconfig);
    const rest = new KubeRest(server, pki.ca.cert, pki.admin);
    restClient = rest;
    const namespaces: NamespaceSpec[] = [{ name: PROBE_NAMESPACE, labels: OPT_IN }, ...(options.namespaces ?? [])];
    await waitForDefaultServiceAccount(kc, 'default', startTimeoutMs);
    for (const ns of namespaces) await createNamespace(kc, ns, startTimeoutMs);
    const deadNow = died();
    if (deadNow !== null) throw new Error(deadNow);
    if (nodeCount > 0 && nodeBins !== null) {
      nodeSet = await startNodes({
        count: nodeCount,
        dir: join(dir, 'nodes'),
        kubelet: nodeBins.kubelet,
        crictl: nodeBins.crictl,
        server,
        ca: pki.ca,
        rest,
        log,
        tail,
        tempDir: keepDir ? undefined : dir,
      });
    }
    const served = await rest.get<{ gitVersion: string }>('/version');
    if (version !== undefined) log(`[e2e] E2E_KUBE_VERSION=${version}: kube-apiserver ${served.body.gitVersion}`);

    const handle: ControlPlane = {
      dir,
      server,
      kubeconfigPath: adminKubeconfig,
      kc,
      rest,
      pki,
      webhookPort: webhookPorts[0] as number,
      webhookPorts,
      logFiles,
      startupMs: Date.now() - started,
      logTails,
      nodes: nodeSet,
      nodeBinaries: nodeBins,
      clusterNetwork,
      version: served.body.gitVersion,
      auditLogPath,
      machineDiff: () => machineDiff,
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
